import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio request validation (https://www.twilio.com/docs/usage/security#validating-requests):
 * `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, full URL + every POST parameter, sorted by
 * name, as name followed by value)). A repeated parameter contributes each value, values sorted.
 */
export type TwilioParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    const values = Array.isArray(value) ? [...value].sort() : [value];
    for (const v of values) data += key + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Twilio signs the URL exactly as it requested it; whether the default port appears in it depends on
 * how the webhook was configured, so both spellings are tried (as Twilio's own helper libraries do).
 */
export function urlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const portMatch = /:(\d+)$/.exec(authority);
  if (!portMatch) return [url, `${scheme}://${authority}:${defaultPort}${rest}`];
  if (portMatch[1] === defaultPort) return [url, `${scheme}://${authority.slice(0, -portMatch[0].length)}${rest}`];
  return [url];
}

export function validateTwilioSignature(authToken: string, signature: string | undefined, url: string, params: TwilioParams = {}): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature, 'utf8');
  let ok = false;
  for (const candidate of urlVariants(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params), 'utf8');
    // Compare every candidate (no early exit) in constant time per candidate.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
