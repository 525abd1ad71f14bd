import type { PiiType } from './detectors.ts';
import { piiPlaceholder, redact, type RedactOptions } from './redact.ts';

/**
 * Keys whose value is personal data whatever it looks like: replaced wholesale. Matched after
 * lower-casing and dropping everything but letters and digits, so `callerId`, `caller_id` and
 * `Caller-ID` are one key. Plain `address` is not here (servers log `address: '127.0.0.1'`); its
 * value still goes through `redact`, which finds street addresses.
 */
export const SENSITIVE_KEYS: Readonly<Record<string, PiiType>> = {
  callerid: 'PHONE', callernumber: 'PHONE', ani: 'PHONE', phone: 'PHONE', phonenumber: 'PHONE', phoneno: 'PHONE', mobile: 'PHONE',
  mobilenumber: 'PHONE', cell: 'PHONE', cellphone: 'PHONE', telephone: 'PHONE', msisdn: 'PHONE', contactnumber: 'PHONE',
  callbacknumber: 'PHONE', fromnumber: 'PHONE', tonumber: 'PHONE',
  email: 'EMAIL', emailaddress: 'EMAIL', mail: 'EMAIL',
  cardnumber: 'CARD', card: 'CARD', pan: 'CARD', creditcard: 'CARD', creditcardnumber: 'CARD', ccnumber: 'CARD', cc: 'CARD',
  cvv: 'CVV', cvv2: 'CVV', cvc: 'CVV', cvc2: 'CVV', csc: 'CVV', securitycode: 'CVV', cardsecuritycode: 'CVV',
  expiry: 'EXPIRY', expirydate: 'EXPIRY', expirationdate: 'EXPIRY', cardexpiry: 'EXPIRY',
  ssn: 'SSN', socialsecuritynumber: 'SSN', taxid: 'SSN',
  dob: 'DOB', dateofbirth: 'DOB', birthdate: 'DOB', birthday: 'DOB',
  streetaddress: 'ADDRESS', fulladdress: 'ADDRESS', homeaddress: 'ADDRESS', mailingaddress: 'ADDRESS', billingaddress: 'ADDRESS',
  shippingaddress: 'ADDRESS', street: 'ADDRESS',
  pin: 'PIN', pinnumber: 'PIN', pincode: 'PIN', passcode: 'PIN',
  password: 'PASSWORD', passwd: 'PASSWORD', securityanswer: 'PASSWORD',
};

export interface RedactDeepOptions extends RedactOptions {
  /** Extra keys to replace wholesale (any spelling: normalised like SENSITIVE_KEYS). */
  sensitiveKeys?: Readonly<Record<string, PiiType>> | readonly string[];
  /** Deeper values are replaced by a placeholder (fail closed). Default 32. */
  maxDepth?: number;
}

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function keyTable(extra: RedactDeepOptions['sensitiveKeys']): Readonly<Record<string, PiiType>> {
  if (!extra) return SENSITIVE_KEYS;
  const table: Record<string, PiiType> = { ...SENSITIVE_KEYS };
  if (Array.isArray(extra)) for (const k of extra as readonly string[]) table[normaliseKey(k)] = 'REDACTED';
  else for (const [k, t] of Object.entries(extra as Record<string, PiiType>)) table[normaliseKey(k)] = t;
  return table;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isBinary(v: object): boolean {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

/**
 * A copy of a JSON-like value with every string leaf redacted (see `redact`), values under
 * sensitive keys replaced wholesale, numbers that are card/phone numbers replaced, keys that hold
 * personal data (a map keyed by phone number) redacted too. Errors become plain objects
 * `{ type, message, stack, ... }` with redacted text. Dates and binary data are kept; cycles become
 * "[Circular]". Never throws: a value that cannot be read becomes "[REDACTED]".
 */
export function redactDeep<T = unknown>(value: T, opts: RedactDeepOptions = {}): T {
  const keys = keyTable(opts.sensitiveKeys);
  const maxDepth = opts.maxDepth ?? 32;
  const placeholder = opts.placeholder ?? piiPlaceholder;
  const seen = new WeakMap<object, unknown>();

  const str = (s: string): string => redact(s, opts).text;
  /**
   * A field that is only digits and cannot be a payment card (cards start with 2–6): epoch
   * milliseconds (13 digits, starting with 1) and other numeric ids stay as they are.
   */
  const numericNotCard = (s: string): boolean => /^[0179]\d{12,18}$|^8\d{12,18}$/.test(s);

  const walk = (v: unknown, depth: number): unknown => {
    try {
      if (typeof v === 'string') return numericNotCard(v) ? v : str(v);
      if (typeof v === 'number') {
        if (Number.isInteger(v) && Math.abs(v) >= 1_000_000 && !numericNotCard(String(Math.abs(v)))) {
          const r = redact(String(v), opts);
          return r.findings.length > 0 ? r.text : v;
        }
        return v;
      }
      if (typeof v === 'bigint') {
        if (numericNotCard(v.toString().replace('-', ''))) return v;
        const r = redact(v.toString(), opts);
        return r.findings.length > 0 ? r.text : v;
      }
      if (v === null || typeof v !== 'object') return v;
      if (v instanceof Date || isBinary(v)) return v;
      if (depth >= maxDepth) return placeholder('REDACTED');
      if (seen.has(v)) return '[Circular]';
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        seen.set(v, out);
        for (const item of v) out.push(walk(item, depth + 1));
        return out;
      }
      if (v instanceof Map) {
        const out = new Map<unknown, unknown>();
        seen.set(v, out);
        for (const [k, item] of v) {
          const sensitive = typeof k === 'string' ? keys[normaliseKey(k)] : undefined;
          out.set(typeof k === 'string' ? redactKey(k) : k, sensitive ? placeholder(sensitive) : walk(item, depth + 1));
        }
        return out;
      }
      if (v instanceof Set) {
        const out = new Set<unknown>();
        seen.set(v, out);
        for (const item of v) out.add(walk(item, depth + 1));
        return out;
      }
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      if (v instanceof Error) {
        out.type = v.name;
        out.message = str(v.message);
        if (typeof v.stack === 'string') out.stack = str(v.stack);
        if (v.cause !== undefined) out.cause = walk(v.cause, depth + 1);
      } else if (!isPlainObject(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
        return walk((v as { toJSON: () => unknown }).toJSON(), depth + 1);
      }
      for (const k of Object.keys(v)) {
        if (v instanceof Error && (k === 'message' || k === 'stack')) continue;
        const sensitive = keys[normaliseKey(k)];
        let item: unknown;
        try {
          item = (v as Record<string, unknown>)[k];
        } catch {
          out[redactKey(k)] = placeholder('REDACTED');
          continue;
        }
        if (sensitive && item !== null && item !== undefined && item !== '') out[redactKey(k)] = placeholder(sensitive);
        else out[redactKey(k)] = walk(item, depth + 1);
      }
      return out;
    } catch {
      return placeholder('REDACTED');
    }
  };
  const redactKey = (k: string): string => (/[\d@]/.test(k) ? str(k) : k);

  return walk(value, 0) as T;
}
