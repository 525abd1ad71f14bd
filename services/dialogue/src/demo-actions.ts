import { randomInt } from 'node:crypto';
import { sha256Hex } from '@cc/core';
import type { ActionOutcome, ActionRequest, ActionRunner, CrmAdapter, CrmCustomer, Money, SlotValue } from './ports.ts';

/**
 * Demo back-office: a CRM over the customers table's records (the seeded demo customers) and an
 * ActionRunner that simulates every action of the demo flows deterministically from the customer
 * record — no network. Balances and search results are derived from hashes, so the same call gives
 * the same answer every time.
 */

export function phoneDigits(phone: string): string {
  const d = phone.replace(/\D/g, '');
  return d.length > 10 ? d.slice(-10) : d;
}

/** The ZIP codes that verify a customer: the billing ZIP, else the shipping ZIPs of their orders. */
export function customerZips(c: CrmCustomer): string[] {
  if (c.zip) return [c.zip];
  return [...new Set(c.orders.map((o) => o.shippingZip).filter((z): z is string => !!z))];
}

export class InMemoryCrm implements CrmAdapter {
  private readonly codes = new Map<string, string>();
  readonly sentCodes: { externalId: string; code: string }[] = [];

  constructor(private readonly customers: readonly CrmCustomer[]) {}

  findByPhone(phone: string): CrmCustomer | null {
    const want = phoneDigits(phone);
    if (want.length < 7) return null;
    return this.customers.find((c) => c.phone && phoneDigits(c.phone) === want) ?? null;
  }

  findByAccountId(accountId: string): CrmCustomer | null {
    const want = accountId.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
    return this.customers.find((c) => c.accountId?.toUpperCase() === want) ?? null;
  }

  findByExternalId(externalId: string): CrmCustomer | null {
    return this.customers.find((c) => c.externalId === externalId) ?? null;
  }

  /** Demo: the code is kept in memory (and in `sentCodes`) instead of being texted. */
  sendOneTimeCode(externalId: string): boolean {
    if (!this.findByExternalId(externalId)) return false;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.codes.set(externalId, code);
    this.sentCodes.push({ externalId, code });
    return true;
  }

  verifyOneTimeCode(externalId: string, code: string): boolean {
    const want = this.codes.get(externalId);
    const ok = want !== undefined && code.replace(/\D/g, '') === want;
    if (ok) this.codes.delete(externalId);
    return ok;
  }
}

/** A deterministic integer in [lo, hi] from a key. */
function hashInt(key: string, lo: number, hi: number): number {
  const n = parseInt(sha256Hex(key).slice(0, 8), 16);
  return lo + (n % (hi - lo + 1));
}

function amountOf(v: SlotValue | undefined): number | null {
  if (v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'object') return v.amount;
  if (typeof v === 'string') {
    const n = Number(v.replace(/[^0-9.]/g, ''));
    return Number.isFinite(n) && v.match(/\d/) ? n : null;
  }
  return null;
}

const usd = (amount: number): Money => ({ amount, currency: 'USD' });

const SGD_TRANSACTIONAL = ['TransferMoney', 'RequestPayment', 'MakePayment', 'ReserveOnewayFlight', 'ReserveRoundtripFlights', 'ReserveHotel', 'ReserveCar', 'BuyBusTicket', 'GetTrainTickets', 'ScheduleVisit'];
const SGD_LOOKUPS = ['CheckBalance', 'SearchOnewayFlight', 'SearchRoundtripFlights', 'SearchHotel', 'GetCarsAvailable', 'FindBus', 'FindTrains', 'FindApartment'];

/** Spoken lines of ABCD actions that only record something. */
const ABCD_LINES: Record<string, string> = {
  'record-reason': 'I have noted the reason.',
  'enter-details': 'I have entered your details.',
  'make-password': 'I have generated a new password and sent it to the email address on file.',
  'send-link': 'I have sent you a link by email.',
  'ask-the-oracle': '',
  'update-account': 'I have updated your account.',
  'promo-code': 'I have added a promo code to your account for your next purchase.',
  'update-order': 'I have updated your order.',
  'make-purchase': 'I have placed the order for you.',
  'notify-team': 'I have notified the responsible team.',
  'search-faq': '',
  'select-faq': '',
  'search-boots': '',
  'search-shirt': '',
  'search-jeans': '',
  'search-jacket': '',
  'search-pricing': '',
  'search-membership': '',
  'search-timing': '',
  'search-policy': '',
  'try-again': 'Please try the action again on the website.',
  'log-out-in': 'Please log out and back in.',
  instructions: 'I have sent you the instructions by email.',
};
const ABCD_CUSTOMER = ['pull-up-account', 'verify-identity', 'validate-purchase', 'shipping-status', 'membership', 'offer-refund', 'subscription-status'];

export const DEMO_ACTIONS: readonly string[] = [...SGD_TRANSACTIONAL, ...SGD_LOOKUPS, ...ABCD_CUSTOMER, ...Object.keys(ABCD_LINES)];

/** Demo result values for lookup result slots, by slot name. */
function lookupValue(slot: string, key: string): SlotValue {
  if (/price|fare|total|rent/.test(slot)) return usd(hashInt(`${key}:${slot}`, 40, 400));
  if (/time/.test(slot)) return `${hashInt(`${key}:${slot}`, 7, 20)}:${hashInt(`${key}:${slot}:m`, 0, 1) ? '30' : '00'}`;
  if (/number_stops|transfers/.test(slot)) return hashInt(`${key}:${slot}`, 0, 1);
  if (/has_wifi|refundable|furnished|pets_allowed/.test(slot)) return hashInt(`${key}:${slot}`, 0, 1) === 1;
  if (/rating/.test(slot)) return hashInt(`${key}:${slot}`, 2, 5);
  return `option ${hashInt(`${key}:${slot}`, 1, 9)}`;
}

export interface DemoActionRunnerOptions {
  /** Result slots per action name (from the flows), filled with demo values by lookups. */
  resultSlots?: Record<string, readonly string[]>;
  /** Largest single payment or transfer accepted (default $5,000). */
  paymentLimit?: number;
}

export class DemoActionRunner implements ActionRunner {
  readonly actions = DEMO_ACTIONS;
  /** Every execution, in order (tests count them). */
  readonly executions: ActionRequest[] = [];

  constructor(
    private readonly crm: CrmAdapter,
    private readonly options: DemoActionRunnerOptions = {},
  ) {}

  /** Balance of a customer's account type (deterministic). */
  static balance(externalId: string, accountType: string): number {
    return hashInt(`${externalId}:${accountType.toLowerCase()}`, 200, 9000);
  }

  async run(request: ActionRequest, signal: AbortSignal): Promise<ActionOutcome> {
    signal.throwIfAborted();
    this.executions.push(request);
    const customer = request.customerRef ? ((await this.crm.findByExternalId?.(request.customerRef)) ?? null) : null;
    const p = request.params;
    const needCustomer = (): ActionOutcome => ({ ok: false, error: 'no_verified_customer' });
    switch (request.action) {
      case 'CheckBalance': {
        if (!customer) return needCustomer();
        return { ok: true, data: { balance: usd(DemoActionRunner.balance(customer.externalId, String(p.account_type ?? 'checking'))) } };
      }
      case 'TransferMoney':
      case 'MakePayment':
      case 'RequestPayment': {
        if (!customer) return needCustomer();
        const amount = amountOf(p.amount);
        if (amount === null || amount <= 0) return { ok: false, error: 'invalid_amount' };
        if (amount > (this.options.paymentLimit ?? 5000)) return { ok: false, error: 'over_limit' };
        if (request.action === 'TransferMoney' && amount > DemoActionRunner.balance(customer.externalId, String(p.account_type ?? 'checking'))) {
          return { ok: false, error: 'insufficient_funds' };
        }
        return { ok: true, data: { reference: `TX${hashInt(request.idempotencyKey, 100000, 999999)}` } };
      }
      case 'pull-up-account':
        if (!customer) return needCustomer();
        return { ok: true, data: { customer_name: customer.fullName }, say: `I have your account here, ${customer.fullName.split(' ')[0]}.` };
      case 'verify-identity':
        return customer ? { ok: true } : needCustomer();
      case 'validate-purchase': {
        if (!customer) return needCustomer();
        const order = pickOrder(customer, p.order_id);
        if (!order) return { ok: false, error: 'unknown_order', say: 'I could not find that order on your account.' };
        return { ok: true, data: { order_id: order.orderId, product: order.product ?? 'item' }, say: `I can see your order of ${order.product ?? 'an item'}${order.placedAt ? ` placed on ${order.placedAt}` : ''}.` };
      }
      case 'shipping-status': {
        if (!customer) return needCustomer();
        const order = pickOrder(customer, p.order_id);
        if (!order) return { ok: false, error: 'unknown_order' };
        return { ok: true, data: { shipping_status: order.status }, say: `Your order of ${order.product ?? 'an item'} is ${order.status}.` };
      }
      case 'membership':
        if (!customer) return needCustomer();
        return { ok: true, data: { membership_level: customer.membershipLevel ?? 'guest' }, say: `You are a ${customer.membershipLevel ?? 'guest'} member.` };
      case 'offer-refund': {
        if (!customer) return needCustomer();
        const order = pickOrder(customer, p.order_id);
        const asked = amountOf(p.amount);
        const total = order?.total ?? 0;
        if (!order || total <= 0) return { ok: false, error: 'nothing_to_refund' };
        if (asked !== null && asked > total) return { ok: false, error: 'refund_exceeds_order', say: 'That is more than the order total, so I cannot refund it.' };
        const amount = asked ?? total;
        return { ok: true, data: { refund_amount: usd(amount) }, say: `I can refund $${amount} to your original payment method.` };
      }
      case 'subscription-status':
        if (!customer) return needCustomer();
        return { ok: true, data: { subscription_status: 'active' }, say: 'Your subscription is active.' };
      default:
        break;
    }
    if (request.action in ABCD_LINES) {
      const say = ABCD_LINES[request.action]!;
      return { ok: true, ...(say ? { say } : {}) };
    }
    if (SGD_TRANSACTIONAL.includes(request.action)) {
      if (!customer) return needCustomer();
      return { ok: true, data: { reference: `BK${hashInt(request.idempotencyKey, 100000, 999999)}` } };
    }
    if (SGD_LOOKUPS.includes(request.action)) {
      const key = `${request.action}:${JSON.stringify(p)}`;
      const data: Record<string, SlotValue> = {};
      for (const slot of this.options.resultSlots?.[request.action] ?? []) if (p[slot] === undefined) data[slot] = lookupValue(slot, key);
      return { ok: true, data };
    }
    return { ok: false, error: `unknown_action:${request.action}` };
  }
}

function pickOrder(customer: CrmCustomer, orderId: SlotValue | undefined) {
  if (typeof orderId === 'string' && orderId.trim()) return customer.orders.find((o) => o.orderId === orderId.replace(/\D/g, '')) ?? null;
  return customer.orders[0] ?? null;
}
