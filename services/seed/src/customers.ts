import { z } from 'zod';
import { DEMO_REFERENCE_DATE } from './kb-articles.ts';
import { loadAbcd } from './sources.ts';
import { isoDateDaysBefore, Prng } from './util.ts';

/**
 * Fake CRM records for the demo tenant, built from ABCD ontology.json value lists (customer names,
 * membership levels, products, payment methods, shipping statuses) with a seeded PRNG: the same
 * (n, seed, asOf) always gives the same records. Formats follow the ABCD scenarios (username =
 * initial + surname + 3 digits, 10-character account id, 10-digit order id, whole-dollar amounts);
 * emails use example.com and phone numbers the fictional 555-01XX range. Field names follow the
 * customers table of @cc/store; orders fit its CustomerOrder (`total` is the order amount in USD,
 * `placedAt` its date).
 */

export const MembershipLevel = z.enum(['guest', 'bronze', 'silver', 'gold']);
export const OrderStatus = z.enum(['order received', 'in transit', 'out for delivery', 'delivered']);

export const CustomerOrderSchema = z.object({
  orderId: z.string().regex(/^\d{10}$/),
  product: z.string().min(1),
  /** Amount in whole US dollars. */
  total: z.number().int().positive(),
  currency: z.literal('USD'),
  status: OrderStatus,
  /** YYYY-MM-DD. */
  placedAt: z.iso.date(),
  paymentMethod: z.string().min(1),
  shippingZip: z.string().regex(/^\d{5}$/),
});
export type CustomerOrder = z.infer<typeof CustomerOrderSchema>;

export const CustomerSchema = z.object({
  externalId: z.string().regex(/^CRM-\d{6}$/),
  fullName: z.string().min(3),
  email: z.email(),
  phone: z.string().regex(/^\(\d{3}\) 555-01\d{2}$/),
  accountId: z.string().regex(/^[A-Z0-9]{10}$/),
  username: z.string().regex(/^[a-z]+\d{3}$/),
  membershipLevel: MembershipLevel,
  orders: z.array(CustomerOrderSchema).min(1),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const CustomersSchema = z.array(CustomerSchema).superRefine((list, ctx) => {
  for (const key of ['externalId', 'email', 'username', 'accountId'] as const) {
    if (new Set(list.map((c) => c[key])).size !== list.length) ctx.addIssue({ code: 'custom', message: `${key} must be unique` });
  }
  const orderIds = list.flatMap((c) => c.orders.map((o) => o.orderId));
  if (new Set(orderIds).size !== orderIds.length) ctx.addIssue({ code: 'custom', message: 'orderId must be unique' });
});

/** Whole-dollar price range per product type (the last word of an ontology product). */
const PRICE_RANGE: Record<string, [number, number]> = { boots: [60, 180], jacket: [70, 220], jeans: [40, 120], shirt: [20, 90] };
const MEMBERSHIP_WEIGHTS = { guest: 3, bronze: 3, silver: 2.5, gold: 1.5 } as const;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function titleCase(s: string): string {
  return s.replace(/\b\w/g, (c) => c.toUpperCase());
}

function values(name: string): string[] {
  const list = loadAbcd().ontology.values.enumerable[name];
  if (!list || list.length === 0) throw new Error(`ontology.json has no values for ${name}`);
  return list;
}

/** A draw that is retried until it is not in `used` (then recorded there). */
function unique(used: Set<string>, draw: () => string): string {
  for (let i = 0; i < 10_000; i++) {
    const v = draw();
    if (!used.has(v)) {
      used.add(v);
      return v;
    }
  }
  throw new Error('could not draw a unique value');
}

export interface CustomerBuildOptions {
  /** Order dates are counted back from this date (default DEMO_REFERENCE_DATE). */
  asOf?: Date;
}

export function buildCustomers(n = 200, seed = 1, options: CustomerBuildOptions = {}): Customer[] {
  if (!Number.isInteger(n) || n < 0 || n > 999_999) throw new RangeError('n must be a whole number from 0 to 999999');
  const asOf = options.asOf ?? new Date(DEMO_REFERENCE_DATE);
  const rng = new Prng(seed);
  const names = values('customer_name').map((full) => full.trim().split(/\s+/));
  const firsts = [...new Set(names.map((p) => p[0]!))];
  const lasts = [...new Set(names.map((p) => p.at(-1)!))];
  const products = values('product');
  const payments = values('payment_method');
  const levels = values('membership_level').filter((l): l is keyof typeof MEMBERSHIP_WEIGHTS => l in MEMBERSHIP_WEIGHTS);
  const statuses = OrderStatus.options;
  const used = { username: new Set<string>(), account: new Set<string>(), order: new Set<string>() };

  const customers: Customer[] = [];
  for (let i = 1; i <= n; i++) {
    const first = rng.pick(firsts);
    const last = rng.pick(lasts);
    const username = unique(used.username, () => `${first[0]}${last}`.toLowerCase().replace(/[^a-z]/g, '') + String(rng.int(100, 999)));
    const membershipLevel = rng.weighted(levels, levels.map((l) => MEMBERSHIP_WEIGHTS[l]));
    const zip = String(rng.int(10000, 99999));
    const orderCount = membershipLevel === 'guest' ? rng.int(1, 2) : rng.int(1, 4);
    const orders: CustomerOrder[] = [];
    for (let k = 0; k < orderCount; k++) {
      const product = rng.pick(products);
      const [lo, hi] = PRICE_RANGE[product.split(' ').at(-1) ?? ''] ?? [20, 200];
      // About a third of orders are recent enough to still be on their way.
      const daysAgo = rng.next() < 0.35 ? rng.int(0, 14) : rng.int(15, 365);
      orders.push({
        orderId: unique(used.order, () => String(rng.int(1_000_000_000, 9_999_999_999))),
        product,
        total: rng.int(lo, hi),
        currency: 'USD',
        status: daysAgo > 14 ? 'delivered' : rng.pick(statuses),
        placedAt: isoDateDaysBefore(asOf, daysAgo),
        paymentMethod: rng.pick(payments),
        shippingZip: zip,
      });
    }
    orders.sort((a, b) => (a.placedAt < b.placedAt ? 1 : a.placedAt > b.placedAt ? -1 : 0));
    customers.push({
      externalId: `CRM-${String(i).padStart(6, '0')}`,
      fullName: titleCase(`${first} ${last}`),
      email: `${username}@example.com`,
      phone: `(${rng.int(2, 9)}${rng.int(0, 8)}${rng.int(0, 9)}) 555-01${String(rng.int(0, 99)).padStart(2, '0')}`,
      accountId: unique(used.account, () => rng.chars(ALNUM, 10)),
      username,
      membershipLevel,
      orders,
    });
  }
  return CustomersSchema.parse(customers);
}
