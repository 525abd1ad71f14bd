import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '@cc/core';
import { mulawToPcm16, pcm16ToMulaw } from '../../audio/mulaw.ts';
import type { CallInfo, InboundMedia, MediaTransport, TransferRequest } from '../../transport/media-transport.ts';
import { closeReason, DTMF_DIGIT, EndReason, Framer, InboundQueue, isPlainObject, isStrictBase64, rawToString, type ConnectionContext, type ManagedConnection } from '../shared.ts';
import type { ConnectorTokens } from '../tokens.ts';
import { transferTwiml, type TwilioCallControl } from './call-control.ts';

/**
 * Twilio Media Streams, bidirectional (`<Connect><Stream>`), server side.
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages
 *
 * Twilio → us (JSON text frames): `connected` {protocol, version}; `start` {sequenceNumber, streamSid,
 * start: {streamSid, accountSid, callSid, tracks, customParameters, mediaFormat: {encoding
 * "audio/x-mulaw", sampleRate 8000, channels 1}}}; `media` {sequenceNumber, streamSid, media: {track,
 * chunk, timestamp, payload (base64 μ-law)}}; `dtmf` {dtmf: {track, digit}}; `mark` {mark: {name}};
 * `stop` {stop: {accountSid, callSid}}.
 * Us → Twilio: `media` {streamSid, media: {payload}} (20 ms of μ-law each), `mark` {streamSid, mark:
 * {name}}, `clear` {streamSid}.
 *
 * The stream is authenticated by the single-use token the webhook put in `customParameters`. The
 * protocol has no error message, so bad input closes the socket with a WebSocket status code and a
 * reason (which, with nothing after `<Connect>` in the TwiML, ends the call).
 */
export interface TwilioStreamOptions {
  tokens: ConnectorTokens;
  /** REST call control for `transfer()`; without it transfers fail with `transfer_unavailable`. */
  callControl?: TwilioCallControl;
  /** Close a connection that has not sent `start` within this time. Default 10 s. */
  startTimeoutMs?: number;
  /** After a successful transfer, close the socket if Twilio has not sent `stop` within this time. Default 5 s. */
  transferCloseTimeoutMs?: number;
  /** Largest decoded media payload accepted (bytes of μ-law). Default 8000 (1 s). */
  maxMediaBytes?: number;
  /** Inbound events buffered for a pipeline that is not reading. Default 3000 (60 s of 20 ms frames). */
  maxBufferedEvents?: number;
}

const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

/** WebSocket close codes used for protocol errors. */
const CLOSE = { normal: 1000, unsupported: 1003, badPayload: 1007, policy: 1008, internal: 1011 } as const;

type State = 'awaiting_start' | 'streaming' | 'ended';

export class TwilioStreamSession implements MediaTransport, ManagedConnection {
  private state: State = 'awaiting_start';
  private info: CallInfo | undefined;
  private streamSid = '';
  private accountSid = '';
  private lastSeq = 0;
  private readonly queue: InboundQueue;
  private readonly framer: Framer;
  private readonly openedAt = Date.now();
  private startedAt = 0;
  private pendingEnd: EndReason | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private transferTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly opts: TwilioStreamOptions,
  ) {
    this.queue = new InboundQueue(opts.maxBufferedEvents ?? 3000, () => ctx.countDropped());
    this.framer = new Framer(FRAME_SAMPLES, (frame) => this.sendFrame(frame));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.startTimer = setTimeout(() => this.fail('start_timeout', 'no start message received', CLOSE.policy), opts.startTimeoutMs ?? 10_000);
    this.startTimer.unref?.();
  }

  get call(): CallInfo {
    if (!this.info) throw new AppError('stream_not_started', 'The Twilio stream has not started yet');
    return this.info;
  }

  inbound(): AsyncIterable<InboundMedia> {
    return this.queue.iterable();
  }

  sendAudio(pcm: Int16Array): void {
    if (this.state !== 'streaming') return;
    this.framer.push(pcm);
  }

  mark(name: string): void {
    if (this.state !== 'streaming') return;
    this.framer.flush();
    this.send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  clear(): void {
    if (this.state !== 'streaming') return;
    this.framer.discard();
    this.send({ event: 'clear', streamSid: this.streamSid });
  }

  async transfer(request: TransferRequest): Promise<void> {
    if (this.state !== 'streaming' || !this.info) throw new AppError('call_not_active', 'The Twilio stream is not active', { status: 409 });
    if (!this.opts.callControl) throw new AppError('transfer_unavailable', 'No Twilio call control configured for transfers', { status: 501 });
    const twiml = transferTwiml(request);
    this.framer.flush();
    await this.opts.callControl.updateCall({ accountSid: this.accountSid, callSid: this.info.externalCallId }, { twiml });
    // Twilio now runs the new TwiML: the <Connect> ends and Twilio sends `stop`.
    this.pendingEnd = EndReason.transferred;
    this.ctx.logger.info({ callId: this.info.callId, target: request.target }, 'twilio call transferred');
    this.transferTimer = setTimeout(() => this.closeWith(EndReason.transferred, CLOSE.normal, 'transferred'), this.opts.transferCloseTimeoutMs ?? 5000);
    this.transferTimer.unref?.();
  }

  async hangup(reason: string): Promise<void> {
    if (this.state === 'ended') return;
    this.framer.flush();
    // Closing the stream ends <Connect>; no verb follows it in our TwiML, so Twilio hangs up.
    this.closeWith(EndReason.hangup, CLOSE.normal, reason);
  }

  shutdown(): void {
    this.closeWith(EndReason.shutdown, 1001, 'server shutting down');
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'ended') return;
    try {
      if (isBinary) return this.fail('binary_frame', 'Twilio Media Streams messages are JSON text', CLOSE.unsupported);
      const text = rawToString(data);
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return this.fail('bad_json', 'message is not valid JSON', CLOSE.unsupported);
      }
      if (!isPlainObject(msg) || typeof msg.event !== 'string') return this.fail('bad_message', 'message has no event', CLOSE.policy);
      this.dispatch(msg);
    } catch (err) {
      // Never let one connection's surprise reach the process.
      this.ctx.logger.error({ err }, 'twilio stream handler failed');
      this.fail('internal', 'internal error', CLOSE.internal);
    }
  }

  private dispatch(msg: Record<string, unknown>): void {
    const event = msg.event as string;
    if (event === 'connected') {
      if (this.state !== 'awaiting_start') return this.fail('unexpected_event', 'connected after start', CLOSE.policy);
      return;
    }
    if (!['start', 'media', 'dtmf', 'mark', 'stop'].includes(event)) return this.fail('unknown_event', `unknown event "${event.slice(0, 32)}"`, CLOSE.policy);
    const seq = typeof msg.sequenceNumber === 'string' && /^\d{1,15}$/.test(msg.sequenceNumber) ? Number(msg.sequenceNumber) : NaN;
    if (!Number.isFinite(seq)) return this.fail('bad_sequence', 'sequenceNumber missing or not a number', CLOSE.policy);
    if (seq <= this.lastSeq) return this.fail('bad_sequence', `sequenceNumber ${seq} after ${this.lastSeq} (duplicate or out of order)`, CLOSE.policy);
    this.lastSeq = seq;

    if (event === 'start') return this.onStart(msg);
    if (this.state !== 'streaming') return this.fail('unexpected_event', `${event} before start`, CLOSE.policy);
    if (msg.streamSid !== this.streamSid) return this.fail('bad_stream_sid', 'streamSid does not match the stream', CLOSE.policy);
    switch (event) {
      case 'media':
        return this.onMedia(msg.media);
      case 'dtmf': {
        const d = msg.dtmf;
        if (!isPlainObject(d) || typeof d.digit !== 'string' || !DTMF_DIGIT.test(d.digit)) return this.fail('bad_message', 'dtmf without a valid digit', CLOSE.policy);
        return this.queue.push({ type: 'dtmf', digit: d.digit, atMs: this.nowMs() });
      }
      case 'mark': {
        const m = msg.mark;
        if (!isPlainObject(m) || typeof m.name !== 'string') return this.fail('bad_message', 'mark without a name', CLOSE.policy);
        return this.queue.push({ type: 'mark', name: m.name, atMs: this.nowMs() });
      }
      case 'stop':
        return this.closeWith(this.pendingEnd ?? EndReason.streamStopped, CLOSE.normal, 'stream stopped');
    }
  }

  private onStart(msg: Record<string, unknown>): void {
    if (this.state !== 'awaiting_start') return this.fail('unexpected_event', 'second start message', CLOSE.policy);
    const s = msg.start;
    if (!isPlainObject(s) || typeof s.callSid !== 'string' || typeof s.accountSid !== 'string' || typeof msg.streamSid !== 'string') {
      return this.fail('bad_message', 'start without streamSid, callSid or accountSid', CLOSE.policy);
    }
    const fmt = s.mediaFormat;
    if (!isPlainObject(fmt) || fmt.encoding !== 'audio/x-mulaw' || fmt.sampleRate !== 8000 || fmt.channels !== 1) {
      return this.fail('bad_media_format', `unsupported media format ${JSON.stringify(fmt).slice(0, 80)} (need audio/x-mulaw, 8000 Hz, 1 channel)`, CLOSE.unsupported);
    }
    if (s.tracks !== undefined && (!Array.isArray(s.tracks) || !s.tracks.includes('inbound'))) {
      return this.fail('bad_media_format', 'stream does not carry the inbound track', CLOSE.unsupported);
    }
    const custom = isPlainObject(s.customParameters) ? s.customParameters : {};
    const check = this.opts.tokens.consume(custom.token, 'twilio-stream');
    if (!check.ok) return this.fail('unauthorized', `stream token ${check.reason}`, CLOSE.policy);
    if (check.claims.callSid !== s.callSid || check.claims.accountSid !== s.accountSid) {
      return this.fail('unauthorized', 'stream token was issued for another call', CLOSE.policy);
    }
    clearTimeout(this.startTimer);
    this.streamSid = msg.streamSid;
    this.accountSid = s.accountSid;
    const parameters: Record<string, string> = {};
    for (const [k, v] of Object.entries(custom)) if (k !== 'token' && typeof v === 'string') parameters[k] = v;
    parameters.streamSid = this.streamSid;
    this.info = {
      callId: randomUUID(),
      connector: 'twilio',
      externalCallId: s.callSid,
      from: parameters.from,
      to: parameters.to,
      tenantId: check.claims.tenantId,
      parameters,
      sampleRate: 8000,
      channels: ['caller'],
    };
    this.state = 'streaming';
    this.startedAt = Date.now();
    this.ctx.logger.info({ callId: this.info.callId, callSid: s.callSid, tenantId: this.info.tenantId }, 'twilio stream started');
    this.ctx.startCall(this);
  }

  private onMedia(media: unknown): void {
    if (!isPlainObject(media) || typeof media.payload !== 'string') return this.fail('bad_message', 'media without payload', CLOSE.policy);
    // With <Connect><Stream> Twilio sends the caller's (inbound) track only.
    if (media.track !== undefined && media.track !== 'inbound') return;
    if (!isStrictBase64(media.payload)) return this.fail('bad_base64', 'media payload is not valid base64', CLOSE.badPayload);
    const bytes = Buffer.from(media.payload, 'base64');
    if (bytes.length === 0) return;
    if (bytes.length > (this.opts.maxMediaBytes ?? 8000)) return this.fail('too_large', `media payload of ${bytes.length} bytes`, CLOSE.policy);
    const ts = typeof media.timestamp === 'string' && /^\d{1,12}$/.test(media.timestamp) ? Number(media.timestamp) : this.nowMs();
    this.queue.push({ type: 'audio', channel: 'caller', pcm: mulawToPcm16(bytes), atMs: ts });
  }

  private sendFrame(frame: Int16Array): void {
    this.send({ event: 'media', streamSid: this.streamSid, media: { payload: Buffer.from(pcm16ToMulaw(frame)).toString('base64') } });
  }

  private send(msg: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(msg), (err) => {
      if (err) this.ctx.logger.debug({ err: err.message }, 'twilio send failed');
    });
  }

  private nowMs(): number {
    return Date.now() - (this.startedAt || this.openedAt);
  }

  /** A protocol error: count it, log it, close with the code and reason, end the call. */
  private fail(kind: string, detail: string, code: number): void {
    if (this.state === 'ended') return;
    this.ctx.countError(kind);
    this.ctx.logger.warn({ kind, callId: this.info?.callId }, `twilio stream protocol error: ${detail}`);
    this.closeWith(kind === 'unauthorized' ? EndReason.unauthorized : EndReason.protocolError, code, detail);
  }

  private closeWith(reason: EndReason, code: number, text: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.clearTimers();
    this.framer.discard();
    this.queue.end(reason, this.nowMs());
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, closeReason(text));
  }

  private onClose(code: number, reason: string): void {
    this.clearTimers();
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.framer.discard();
    this.ctx.logger.info({ code, reason, callId: this.info?.callId }, 'twilio stream socket closed without stop');
    this.queue.end(this.pendingEnd ?? EndReason.connectionLost, this.nowMs());
  }

  private clearTimers(): void {
    clearTimeout(this.startTimer);
    clearTimeout(this.transferTimer);
  }
}
