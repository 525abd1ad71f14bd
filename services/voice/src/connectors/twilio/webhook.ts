import { Hono, type Context } from 'hono';
import type { Logger } from '@cc/core';
import { connectorProtocolErrors } from '../metrics.ts';
import { defaultLogger } from '../shared.ts';
import type { ConnectorTokens } from '../tokens.ts';
import { xmlEscape } from './call-control.ts';
import { validateTwilioSignature, type TwilioParams } from './signature.ts';

/**
 * The Twilio voice webhook: Twilio POSTs the call (form-encoded: CallSid, AccountSid, From, To, …)
 * and gets back TwiML that connects the call's audio to our Media Streams WebSocket:
 *
 *   <Response><Connect><Stream url="wss://…/v1/twilio/stream">
 *     <Parameter name="tenantId" …/><Parameter name="token" …/><Parameter name="from" …/><Parameter name="to" …/>
 *   </Stream></Connect></Response>
 *
 * Every request must carry a valid `X-Twilio-Signature` computed with the auth token of the account
 * it claims to come from; anything else is refused with 403 before any call state exists.
 */
export const TWILIO_VOICE_PATH = '/v1/twilio/voice';
export const TWILIO_STREAM_PATH = '/v1/twilio/stream';
const MAX_REMEMBERED = 200_000;

export interface TwilioAccount {
  tenantId: string;
  /** The account's auth token: the key Twilio signs its webhooks with. */
  authToken: string;
}

/** Which tenant a Twilio account (AccountSid) belongs to, and its auth token. */
export interface TwilioAccountDirectory {
  lookup(accountSid: string): Promise<TwilioAccount | null>;
}

export interface TwilioWebhookOptions {
  accounts: TwilioAccountDirectory;
  tokens: ConnectorTokens;
  /**
   * The public base URL Twilio is configured with (https://voice.example.com). Twilio signs the URL
   * it called, which behind a proxy is not the URL this process sees; default: the request URL.
   */
  publicBaseUrl?: string;
  /** The wss:// URL put in `<Stream url>`; default: publicBaseUrl (or the request's host) + /v1/twilio/stream. */
  streamUrl?: string;
  /** Lifetime of the stream token; Twilio opens the WebSocket within a second or two. Default 120 s. */
  tokenTtlSeconds?: number;
  /** A signed request seen again within this window is refused as a replay. Default 10 minutes. */
  replayWindowMs?: number;
  logger?: Logger;
  now?: () => number;
}

export function twilioWebhookRoutes(opts: TwilioWebhookOptions): Hono {
  const app = new Hono();
  const logger = (opts.logger ?? defaultLogger()).child({ connector: 'twilio' });
  const now = opts.now ?? Date.now;
  const replayWindowMs = opts.replayWindowMs ?? 10 * 60_000;
  const seen = new Map<string, number>();

  const reject = (c: Context, status: 400 | 403 | 415, kind: string, detail: string) => {
    connectorProtocolErrors.inc({ connector: 'twilio', kind });
    logger.warn({ kind, status }, `twilio webhook refused: ${detail}`);
    return c.json({ type: 'about:blank', title: status === 403 ? 'Forbidden' : 'Bad Request', status, code: kind, detail }, status, {
      'content-type': 'application/problem+json',
    });
  };

  app.post(TWILIO_VOICE_PATH, async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return reject(c, 415, 'bad_content_type', 'Twilio webhooks are application/x-www-form-urlencoded');
    }
    const raw = await c.req.text();
    if (raw.length > 64 * 1024) return reject(c, 400, 'too_large', 'webhook body too large');
    const params: TwilioParams = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = params[k];
      params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signature = c.req.header('x-twilio-signature');
    if (!signature) return reject(c, 403, 'missing_signature', 'X-Twilio-Signature header missing');
    const accountSid = typeof params.AccountSid === 'string' ? params.AccountSid : undefined;
    if (!accountSid) return reject(c, 403, 'bad_signature', 'no AccountSid to validate the signature against');
    const account = await opts.accounts.lookup(accountSid).catch((err: unknown) => {
      logger.error({ err }, 'twilio account lookup failed');
      return null;
    });
    const signedUrl = signedUrlOf(c.req.url, opts.publicBaseUrl);
    if (!account || !validateTwilioSignature(account.authToken, signature, signedUrl, params)) {
      return reject(c, 403, 'bad_signature', 'X-Twilio-Signature does not match the request');
    }
    // A valid signature seen before is a replay (Twilio signs each request once).
    const t = now();
    for (const [sig, at] of seen) if (t - at > replayWindowMs) seen.delete(sig);
    if (seen.has(signature)) return reject(c, 403, 'replayed', 'this signed request was already used');
    seen.set(signature, t);
    if (seen.size > MAX_REMEMBERED) seen.delete(seen.keys().next().value!);

    const callSid = typeof params.CallSid === 'string' ? params.CallSid : undefined;
    if (!callSid) return reject(c, 400, 'bad_request', 'CallSid missing');
    const token = opts.tokens.issue({ kind: 'twilio-stream', tenantId: account.tenantId, callSid, accountSid }, opts.tokenTtlSeconds ?? 120);
    const streamUrl = opts.streamUrl ?? streamUrlOf(signedUrl);
    const parameters: Record<string, string> = { tenantId: account.tenantId, token };
    if (typeof params.From === 'string' && params.From) parameters.from = params.From;
    if (typeof params.To === 'string' && params.To) parameters.to = params.To;
    logger.info({ callSid, tenantId: account.tenantId }, 'twilio call answered with <Connect><Stream>');
    return c.body(connectStreamTwiml(streamUrl, parameters), 200, { 'content-type': 'text/xml; charset=utf-8' });
  });
  return app;
}

export function connectStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const params = Object.entries(parameters)
    .map(([name, value]) => `<Parameter name="${xmlEscape(name)}" value="${xmlEscape(value)}"/>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="${xmlEscape(streamUrl)}">${params}</Stream></Connect></Response>`;
}

function signedUrlOf(requestUrl: string, publicBaseUrl: string | undefined): string {
  if (!publicBaseUrl) return requestUrl;
  const u = new URL(requestUrl);
  return publicBaseUrl.replace(/\/+$/, '') + u.pathname + u.search;
}

function streamUrlOf(signedUrl: string): string {
  const u = new URL(signedUrl);
  const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${u.host}${TWILIO_STREAM_PATH}`;
}
