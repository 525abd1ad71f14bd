import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived, single-use tokens that let a media WebSocket prove which tenant (and, for Twilio,
 * which call) it belongs to. The Twilio webhook puts one in the TwiML as a `<Parameter>` and Twilio
 * echoes it in the stream's `start` message; browsers and simulators get one from the platform and
 * send it in the generic connector's `start`.
 *
 * Format: `base64url(JSON claims) "." base64url(HMAC-SHA256(k, first part))` with k derived from the
 * platform's SECRET_KEY, so the token cannot be forged or altered; each nonce is accepted once.
 */
export type ConnectorTokenKind = 'twilio-stream' | 'generic';

export interface ConnectorTokenClaims {
  kind: ConnectorTokenKind;
  tenantId: string;
  /** Twilio: the call the webhook answered; the stream's `start` must carry the same ids. */
  callSid?: string;
  accountSid?: string;
  /** Epoch seconds. */
  exp: number;
  nonce: string;
}

export type TokenCheck =
  | { ok: true; claims: ConnectorTokenClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_kind' | 'replayed' };

export class ConnectorTokens {
  private readonly key: Buffer;
  private readonly used = new Map<string, number>();
  private readonly now: () => number;

  constructor(secret: string | Uint8Array, opts: { now?: () => number } = {}) {
    if ((typeof secret === 'string' ? Buffer.byteLength(secret) : secret.length) < 16) throw new RangeError('connector token secret must be at least 16 bytes');
    this.key = createHmac('sha256', secret).update('cc-voice-connector-token-v1').digest();
    this.now = opts.now ?? Date.now;
  }

  issue(claims: Omit<ConnectorTokenClaims, 'exp' | 'nonce'>, ttlSeconds = 60): string {
    const full: ConnectorTokenClaims = { ...claims, exp: Math.floor(this.now() / 1000) + ttlSeconds, nonce: randomBytes(12).toString('base64url') };
    const body = Buffer.from(JSON.stringify(full)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** Check a token without using it up. */
  verify(token: unknown, kind: ConnectorTokenKind): TokenCheck {
    if (typeof token !== 'string' || token.length > 2048) return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
    let claims: ConnectorTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ConnectorTokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims?.tenantId !== 'string' || typeof claims.exp !== 'number' || typeof claims.nonce !== 'string') return { ok: false, reason: 'malformed' };
    if (claims.kind !== kind) return { ok: false, reason: 'wrong_kind' };
    if (claims.exp * 1000 < this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /** Check a token and use it up: the same token is refused the second time. */
  consume(token: unknown, kind: ConnectorTokenKind): TokenCheck {
    const check = this.verify(token, kind);
    if (!check.ok) return check;
    this.prune();
    if (this.used.has(check.claims.nonce)) return { ok: false, reason: 'replayed' };
    this.used.set(check.claims.nonce, check.claims.exp);
    // Bounded: the oldest entries go first (they expire first, too).
    if (this.used.size > 200_000) this.used.delete(this.used.keys().next().value!);
    return check;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private prune(): void {
    const nowSec = this.now() / 1000;
    for (const [nonce, exp] of this.used) if (exp < nowSec) this.used.delete(nonce);
  }
}
