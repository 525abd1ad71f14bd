import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { headerValue } from '../shared.ts';
import { decoyKey, verifyHttpSignature, type SignatureParams } from './http-signature.ts';
import { UUID_RE } from './protocol.ts';

/**
 * AudioHook authentication of the WebSocket upgrade request, before any protocol message:
 * - `X-API-KEY` names the integration; its credential says which tenant it is and holds the client
 *   secret (Genesys shows it base64-encoded; the HMAC key is the decoded bytes);
 * - `Signature-Input` / `Signature` (RFC 9421, hmac-sha256, keyid = the API key) must cover
 *   @request-target, @authority, audiohook-organization-id, audiohook-session-id,
 *   audiohook-correlation-id and x-api-key, carry a nonce (each accepted once) and be fresh
 *   (`created` within `maxSignatureAgeSeconds`, `expires` not passed).
 * A credential with an empty client secret accepts unsigned requests (as Genesys allows).
 * Failures are answered 401 (400 for a malformed request) after a fixed minimum delay, so the
 * response time says nothing about which check failed.
 */
export interface AudioHookCredential {
  tenantId: string;
  /** The decoded client secret; null or empty: unsigned requests are accepted for this key. */
  clientSecret: Uint8Array | null;
  /** When set, the Audiohook-Organization-Id header must equal it. */
  organizationId?: string;
}

export interface AudioHookCredentialStore {
  lookup(apiKey: string): Promise<AudioHookCredential | null>;
}

export function clientSecretFromBase64(secret: string): Uint8Array {
  return new Uint8Array(Buffer.from(secret, 'base64'));
}

export interface AudioHookAuthOptions {
  credentials: AudioHookCredentialStore;
  /** Default 60 s (Genesys signs each connection attempt just before opening it). */
  maxSignatureAgeSeconds?: number;
  clockSkewSeconds?: number;
  /** Minimum time before a failure is answered. Default 250 ms. */
  minFailureDelayMs?: number;
  /** The authority (host[:port]) clients address, when a proxy rewrites Host. Default: the Host header. */
  authority?: string;
  /** Scheme for @scheme / @target-uri behind a TLS-terminating proxy. Default: from the socket. */
  scheme?: 'http' | 'https';
  now?: () => number;
}

export interface AudioHookAuthContext {
  tenantId: string;
  apiKey: string;
  organizationId: string;
  sessionId: string;
  correlationId: string;
  signed: boolean;
}

export type AuthOutcome = { ok: true; context: AudioHookAuthContext } | { ok: false; status: 400 | 401; kind: string; message: string };

export const AUDIOHOOK_REQUIRED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
];

export class AudioHookAuthenticator {
  private readonly nonces = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: AudioHookAuthOptions) {
    this.now = opts.now ?? Date.now;
  }

  async authenticate(req: IncomingMessage): Promise<AuthOutcome> {
    const started = Date.now();
    const outcome = await this.check(req).catch(
      (): AuthOutcome => ({ ok: false, status: 401, kind: 'auth_error', message: 'authentication could not be completed' }),
    );
    if (!outcome.ok) {
      const wait = started + (this.opts.minFailureDelayMs ?? 250) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return outcome;
  }

  private async check(req: IncomingMessage): Promise<AuthOutcome> {
    const apiKey = headerValue(req, 'x-api-key')?.trim();
    if (!apiKey) return { ok: false, status: 401, kind: 'missing_api_key', message: 'X-API-KEY header missing' };
    const organizationId = headerValue(req, 'audiohook-organization-id')?.trim();
    const sessionId = headerValue(req, 'audiohook-session-id')?.trim();
    const correlationId = headerValue(req, 'audiohook-correlation-id')?.trim();
    if (!organizationId || !sessionId || !correlationId) {
      return { ok: false, status: 400, kind: 'bad_request', message: 'Audiohook-Organization-Id, Audiohook-Session-Id and Audiohook-Correlation-Id are required' };
    }
    if (!UUID_RE.test(sessionId) || !UUID_RE.test(organizationId)) return { ok: false, status: 400, kind: 'bad_request', message: 'session and organization ids must be UUIDs' };

    const credential = await this.opts.credentials.lookup(apiKey);
    const nowSec = Math.floor(this.now() / 1000);
    const maxAge = this.opts.maxSignatureAgeSeconds ?? 60;
    const skew = this.opts.clockSkewSeconds ?? 5;
    const signedRequest = {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      authority: this.opts.authority ?? headerValue(req, 'host') ?? '',
      scheme: this.opts.scheme ?? ((req.socket as TLSSocket).encrypted ? 'https' : 'http'),
      headers: req.headers,
    } as const;
    let nonceParams: SignatureParams | undefined;
    const result = await verifyHttpSignature(signedRequest, {
      required: AUDIOHOOK_REQUIRED_COMPONENTS,
      now: nowSec,
      maxAgeSeconds: maxAge,
      clockSkewSeconds: skew,
      resolveKey: (params) => {
        if (params.keyid !== apiKey) return { failure: 'signature keyid does not match X-API-KEY' };
        if (!params.nonce || params.nonce.length < 16) return { failure: 'signature nonce missing or too short' };
        nonceParams = params;
        const secret = credential?.clientSecret;
        return secret && secret.length > 0 ? { key: secret, known: true } : { key: decoyKey(), known: false };
      },
    });

    let signed = false;
    if (result.ok) {
      signed = true;
      // A nonce is good once (replayed upgrade requests are refused).
      this.pruneNonces(nowSec);
      const nonceKey = `${apiKey}\u0000${nonceParams!.nonce}`;
      if (this.nonces.has(nonceKey)) return { ok: false, status: 401, kind: 'replayed', message: 'signature nonce already used' };
      this.nonces.set(nonceKey, (nonceParams!.created ?? nowSec) + maxAge + skew);
      if (this.nonces.size > 200_000) this.nonces.delete(this.nonces.keys().next().value!);
    } else if (result.code === 'unsigned') {
      const secret = credential?.clientSecret;
      if (!credential || (secret && secret.length > 0)) return { ok: false, status: 401, kind: 'unsigned', message: 'request is not signed' };
    } else {
      return { ok: false, status: 401, kind: result.code === 'expired' ? 'signature_expired' : 'bad_signature', message: `signature ${result.code}: ${result.reason}` };
    }
    if (!credential) return { ok: false, status: 401, kind: 'unknown_api_key', message: 'unknown API key' };
    if (credential.organizationId && credential.organizationId.toLowerCase() !== organizationId.toLowerCase()) {
      return { ok: false, status: 401, kind: 'wrong_organization', message: 'organization not allowed for this API key' };
    }
    return { ok: true, context: { tenantId: credential.tenantId, apiKey, organizationId, sessionId, correlationId, signed } };
  }

  private pruneNonces(nowSec: number): void {
    for (const [k, until] of this.nonces) if (until < nowSec) this.nonces.delete(k);
  }
}
