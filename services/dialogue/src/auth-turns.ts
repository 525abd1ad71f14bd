/** Identity verification turns (account ID + ZIP, or a one-time code) before a sensitive flow. */
import { customerZips } from './demo-actions.ts';
import { ANYTHING_ELSE, clarify, escalate, finish } from './decisions.ts';
import type { TurnDecision } from './engine-types.ts';
import { startFlow } from './flow-runner.ts';
import type { CrmCustomer } from './ports.ts';
import type { CustomerContext } from './state.ts';
import { compactId } from './text.ts';
import { timed, type TurnContext } from './turn-context.ts';

const DIGIT_WORDS: Record<string, string> = { zero: '0', oh: '0', o: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** Digits from a spoken or keyed answer: "nine seven one 5 4" → "97154". */
export function spokenDigits(text: string): string {
  return text
    .toLowerCase()
    .split(/[\s,.-]+/)
    .map((w) => DIGIT_WORDS[w] ?? w.replace(/\D/g, ''))
    .join('');
}

/** The account context kept in the session state (at most 10 orders). */
export function customerContext(c: CrmCustomer): CustomerContext {
  return {
    externalId: c.externalId,
    fullName: c.fullName,
    accountId: c.accountId ?? null,
    username: c.username ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    membershipLevel: c.membershipLevel ?? null,
    orders: c.orders.slice(0, 10).map((o) => ({
      orderId: o.orderId,
      status: o.status,
      ...(o.product ? { product: o.product } : {}),
      ...(typeof o.total === 'number' ? { total: o.total } : {}),
      ...(o.placedAt ? { placedAt: o.placedAt } : {}),
      ...(o.paymentMethod ? { paymentMethod: o.paymentMethod } : {}),
    })),
  };
}

export async function authTurn(t: TurnContext): Promise<TurnDecision> {
  const { s } = t;
  const engine = t.engine;
  const c = s.auth.collecting!;
  const crm = engine.deps.crm;
  if (/\b(cancel|never ?mind|forget it)\b/i.test(t.text)) {
    s.auth.collecting = null;
    s.lastPrompt = 'anything_else';
    t.parts.push('Okay, I have stopped that.', ANYTHING_ELSE);
    return finish(t, 'say', 'verification_cancelled');
  }
  if (!crm) return escalate(t, 'authentication_unavailable');
  const otpPossible = Boolean(crm.sendOneTimeCode && crm.verifyOneTimeCode && s.auth.customerRef && s.auth.identifiedBy === 'ani');
  if (c.step !== 'otp' && otpPossible && /\b(code|text me|send (me )?a)\b/i.test(t.text) && !/\d{5}/.test(spokenDigits(t.text))) {
    const sent = await timed(t, 'actions', async () => {
      try {
        return await crm.sendOneTimeCode!(s.auth.customerRef!);
      } catch {
        return false;
      }
    });
    if (sent) {
      c.step = 'otp';
      t.parts.push('I have sent a one-time code to the phone number on your account. Please read it to me.');
      return finish(t, 'ask_slot', 'otp_sent');
    }
  }
  if (c.step === 'account_id') {
    const id = await authFactor(t, 'account_id');
    if (!id) return clarify(t, 'account_id_not_understood', 'Sorry, I did not catch your account ID. ');
    c.accountId = id;
    c.step = 'zip';
    s.failures.nonUnderstanding = 0;
    t.parts.push('Thank you. And what is the ZIP code on your account?');
    return finish(t, 'ask_slot', 'ask_zip');
  }
  let customer: CrmCustomer | null = null;
  let method: 'account_zip' | 'otp' = 'account_zip';
  if (c.step === 'zip') {
    const zip = await authFactor(t, 'zip');
    if (!zip) return clarify(t, 'zip_not_understood', 'Sorry, I did not catch the ZIP code. ');
    const found = await timed(t, 'actions', async () => {
      try {
        return await crm.findByAccountId(c.accountId ?? '');
      } catch {
        return null;
      }
    });
    if (found && customerZips(found).includes(zip)) customer = found;
  } else {
    method = 'otp';
    const code = spokenDigits(t.text);
    if (code.length < 4) return clarify(t, 'otp_not_understood', 'Sorry, I did not catch the code. ');
    const ok = await timed(t, 'actions', async () => {
      try {
        return await crm.verifyOneTimeCode!(s.auth.customerRef!, code);
      } catch {
        return false;
      }
    });
    if (ok) customer = (await crm.findByExternalId?.(s.auth.customerRef!)) ?? (s.customer ? { ...s.customer, orders: s.customer.orders } : null);
  }
  if (!customer) {
    s.auth.failedAttempts++;
    if (s.auth.failedAttempts >= engine.options.maxAuthAttempts) {
      s.auth.status = 'locked';
      s.auth.collecting = null;
      return escalate(t, 'authentication_failed');
    }
    // Which factor was wrong is not revealed.
    c.step = 'account_id';
    c.accountId = null;
    t.parts.push("Sorry, I couldn't verify those details. Let's try again: what is your account ID?");
    return finish(t, 'ask_slot', 'verification_failed');
  }
  s.auth = {
    status: 'verified',
    customerRef: customer.externalId,
    identifiedBy: s.auth.identifiedBy ?? 'account_id',
    verifiedBy: method,
    failedAttempts: s.auth.failedAttempts,
    collecting: null,
  };
  s.customer = customerContext(customer);
  s.failures.nonUnderstanding = 0;
  t.parts.push('Thank you, you are verified.');
  return startFlow(t, c.forFlow, '', 'verified', c.slots ?? {}, c.requestTurn);
}

async function authFactor(t: TurnContext, kind: 'account_id' | 'zip'): Promise<string | null> {
  const text = t.text;
  const ext = await timed(t, 'nlu', async () => {
    try {
      return (await t.engine.deps.slots.extractSlots(text, [{ name: kind, kind }], { expecting: kind })).slots?.[kind];
    } catch {
      return undefined;
    }
  });
  if (ext?.status === 'filled' && typeof ext.value === 'string') {
    const v = kind === 'zip' ? ext.value.replace(/\D/g, '') : compactId(ext.value);
    if (kind === 'zip' ? /^\d{5}$/.test(v) : /^[A-Z0-9]{6,12}$/.test(v)) return v;
  }
  if (kind === 'zip') {
    const d = spokenDigits(text);
    return /^\d{5}$/.test(d) ? d : (/\b\d{5}\b/.exec(text)?.[0] ?? null);
  }
  const token = text.split(/\s+/).map(compactId).find((w) => /^[A-Z0-9]{10}$/.test(w) && /\d/.test(w));
  if (token) return token;
  const spelled = compactId(text.replace(/\b(my|the|account|id|number|is|it'?s|its|uh|um|okay|ok|sure|yes|yeah|that'?s)\b/gi, ' '));
  return /^[A-Z0-9]{8,12}$/.test(spelled) && /\d/.test(spelled) ? spelled : null;
}
