import { AppError, errorMessage } from '@cc/core';
import type { TransferRequest } from '../../transport/media-transport.ts';

/**
 * Twilio call control for transfers: the REST "update a call" request
 * (POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json with `Twiml=`), which replaces the
 * call's running TwiML — and with it the `<Connect><Stream>` — by a `<Dial>` (or `<Enqueue>`).
 */
export interface TwilioCallRef {
  accountSid: string;
  callSid: string;
}

export interface TwilioCallUpdate {
  /** New TwiML the call executes at once. */
  twiml?: string;
  /** `completed` hangs the call up. */
  status?: 'completed' | 'canceled';
}

export interface TwilioCallControl {
  updateCall(call: TwilioCallRef, update: TwilioCallUpdate): Promise<void>;
}

export class TwilioApiError extends AppError {
  constructor(message: string, context: { httpStatus?: number; twilioCode?: number; moreInfo?: string }, cause?: unknown) {
    super('twilio_api_error', message, { status: context.httpStatus === undefined ? 503 : 502, context, cause });
  }
}

export interface TwilioRestOptions {
  /** Base URL of the REST API; default https://api.twilio.com (tests point it at a local stand-in). */
  baseUrl?: string;
  /** Basic-auth credentials for an account: its Account SID and auth token (or an API key SID and secret). */
  credentials(accountSid: string): Promise<{ username: string; password: string } | null>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class TwilioRestCallControl implements TwilioCallControl {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: TwilioRestOptions) {
    this.baseUrl = (opts.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async updateCall(call: TwilioCallRef, update: TwilioCallUpdate): Promise<void> {
    if (!/^AC[0-9a-fA-F]{32}$/.test(call.accountSid) || !/^CA[0-9a-fA-F]{32}$/.test(call.callSid)) {
      throw new TwilioApiError('Not a Twilio Account SID / Call SID pair', {});
    }
    const creds = await this.opts.credentials(call.accountSid);
    if (!creds) throw new TwilioApiError(`No Twilio credentials for account ${call.accountSid}`, {});
    const form = new URLSearchParams();
    if (update.twiml !== undefined) form.set('Twiml', update.twiml);
    if (update.status !== undefined) form.set('Status', update.status);
    const url = `${this.baseUrl}/2010-04-01/Accounts/${call.accountSid}/Calls/${call.callSid}.json`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TwilioApiError(`Twilio REST API unreachable: ${errorMessage(err)}`, {}, err);
    }
    if (res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      return;
    }
    // Twilio errors are JSON: { code, message, more_info, status }.
    let body: { code?: number; message?: string; more_info?: string } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      /* not JSON */
    }
    throw new TwilioApiError(`Twilio call update failed (HTTP ${res.status}${body.code ? `, error ${body.code}` : ''}): ${body.message ?? res.statusText}`, {
      httpStatus: res.status,
      twilioCode: body.code,
      moreInfo: body.more_info,
    });
  }
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

/**
 * TwiML that hands the call to a human, by the target's form:
 * - `+15551234567` (E.164) → `<Dial><Number>`;
 * - `sip:agent@pbx.example.com` → `<Dial><Sip>` with the context id and reason as X- headers;
 * - `client:alice` → `<Dial><Client>` with the variables as `<Parameter>`s;
 * - `queue:support` → `<Enqueue>support</Enqueue>`;
 * - `workflow:WW…` → `<Enqueue workflowSid>` with a TaskRouter `<Task>` carrying the variables.
 */
export function transferTwiml(req: TransferRequest): string {
  const target = req.target.trim();
  const vars: Record<string, string> = { ...req.variables, contextId: req.contextId, reason: req.reason };
  let body: string;
  if (/^\+[1-9]\d{6,14}$/.test(target)) {
    body = `<Dial><Number>${xmlEscape(target)}</Number></Dial>`;
  } else if (/^sips?:/i.test(target)) {
    const sep = target.includes('?') ? '&' : '?';
    const headers = [`X-CC-Context-Id=${encodeURIComponent(req.contextId)}`, `X-CC-Reason=${encodeURIComponent(req.reason)}`].join('&');
    body = `<Dial><Sip>${xmlEscape(target + sep + headers)}</Sip></Dial>`;
  } else if (target.startsWith('client:')) {
    const params = Object.entries(vars)
      .map(([k, v]) => `<Parameter name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`)
      .join('');
    body = `<Dial><Client><Identity>${xmlEscape(target.slice('client:'.length))}</Identity>${params}</Client></Dial>`;
  } else if (target.startsWith('queue:')) {
    body = `<Enqueue>${xmlEscape(target.slice('queue:'.length))}</Enqueue>`;
  } else if (target.startsWith('workflow:')) {
    body = `<Enqueue workflowSid="${xmlEscape(target.slice('workflow:'.length))}"><Task>${xmlEscape(JSON.stringify(vars))}</Task></Enqueue>`;
  } else {
    throw new AppError('bad_transfer_target', `Cannot route a Twilio transfer to "${target}": use +E.164, sip:, client:, queue: or workflow:`, { status: 400 });
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}
