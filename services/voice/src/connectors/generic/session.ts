import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '@cc/core';
import type { CallInfo, InboundMedia, MediaTransport, TransferRequest } from '../../transport/media-transport.ts';
import {
  closeReason,
  DTMF_DIGIT,
  EndReason,
  Framer,
  InboundQueue,
  isPlainObject,
  pcm16FromLittleEndian,
  pcm16ToLittleEndian,
  stringParameters,
  rawToBytes,
  rawToString,
  type ConnectionContext,
  type ManagedConnection,
} from '../shared.ts';
import type { ConnectorTokens } from '../tokens.ts';

/**
 * The generic WebSocket connector for browsers and simulators (`/v1/stream`). A deliberately tiny
 * protocol; see docs/connectors.md.
 *
 * Client → server
 *   text   {"type":"start","token":"…","callerId"?:"+1555…","parameters"?:{…},"sampleRate"?:16000,"encoding"?:"L16"}  (first message)
 *   text   {"type":"dtmf","digit":"5"}
 *   text   {"type":"mark","name":"…"}      playback reached a mark the server sent
 *   text   {"type":"stop"}                 the caller hangs up
 *   binary caller audio: 16-bit little-endian PCM, 16 kHz, mono (any whole number of samples)
 * Server → client
 *   text   {"type":"started","callId":"…","sampleRate":16000}
 *   binary agent audio, same format, 20 ms per frame
 *   text   {"type":"mark","name":"…"}  ·  {"type":"clear"}  ·  {"type":"transfer","target","reason","contextId","variables"}
 *   text   {"type":"end","reason":"…"} then close 1000
 *   text   {"type":"error","code":"…","message":"…"} then close 4400 (protocol), 4401 (auth), 4408 (no start), 4415 (format)
 */
export interface GenericAuthResult {
  tenantId: string;
}

export interface GenericConnectorOptions {
  /** Default: a `generic` connector token from ConnectorTokens (single use). */
  tokens?: ConnectorTokens;
  /** Custom authentication of the `start.token` (e.g. a platform API key). Takes precedence over `tokens`. */
  authenticate?(token: string): Promise<GenericAuthResult | null>;
  startTimeoutMs?: number;
  maxBufferedEvents?: number;
}

export const GENERIC_SAMPLE_RATE = 16000;
const FRAME_SAMPLES = 320; // 20 ms at 16 kHz
const CLOSE = { normal: 1000, protocol: 4400, unauthorized: 4401, timeout: 4408, format: 4415, internal: 1011 } as const;

type State = 'awaiting_start' | 'authenticating' | 'streaming' | 'ended';

export class GenericSession implements MediaTransport, ManagedConnection {
  private state: State = 'awaiting_start';
  private info: CallInfo | undefined;
  private readonly queue: InboundQueue;
  private readonly framer: Framer;
  private readonly openedAt = Date.now();
  private startedAt = 0;
  private startTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly opts: GenericConnectorOptions,
  ) {
    this.queue = new InboundQueue(opts.maxBufferedEvents ?? 3000, () => ctx.countDropped());
    this.framer = new Framer(FRAME_SAMPLES, (frame) => {
      if (this.state === 'streaming' && ws.readyState === ws.OPEN) ws.send(pcm16ToLittleEndian(frame), { binary: true }, () => {});
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onSocketClose());
    this.startTimer = setTimeout(() => this.fail('start_timeout', 'no start message received', CLOSE.timeout), opts.startTimeoutMs ?? 10_000);
    this.startTimer.unref?.();
  }

  get call(): CallInfo {
    if (!this.info) throw new AppError('stream_not_started', 'The stream has not started yet');
    return this.info;
  }

  inbound(): AsyncIterable<InboundMedia> {
    return this.queue.iterable();
  }

  sendAudio(pcm: Int16Array): void {
    if (this.state === 'streaming') this.framer.push(pcm);
  }

  mark(name: string): void {
    if (this.state !== 'streaming') return;
    this.framer.flush();
    this.sendJson({ type: 'mark', name });
  }

  clear(): void {
    if (this.state !== 'streaming') return;
    this.framer.discard();
    this.sendJson({ type: 'clear' });
  }

  async transfer(request: TransferRequest): Promise<void> {
    if (this.state !== 'streaming') throw new AppError('call_not_active', 'The stream is not active', { status: 409 });
    this.framer.flush();
    this.sendJson({ type: 'transfer', target: request.target, reason: request.reason, contextId: request.contextId, variables: request.variables });
    this.finish(EndReason.transferred, 'transferred');
  }

  async hangup(reason: string): Promise<void> {
    if (this.state === 'ended') return;
    this.framer.flush();
    this.finish(EndReason.hangup, reason);
  }

  shutdown(): void {
    this.finish(EndReason.shutdown, 'server shutting down', 1001);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'ended') return;
    try {
      if (isBinary) return this.onAudio(rawToBytes(data));
      let msg: unknown;
      try {
        msg = JSON.parse(rawToString(data));
      } catch {
        return this.fail('bad_json', 'message is not valid JSON', CLOSE.protocol);
      }
      if (!isPlainObject(msg) || typeof msg.type !== 'string') return this.fail('bad_message', 'message has no type', CLOSE.protocol);
      this.dispatch(msg);
    } catch (err) {
      this.ctx.logger.error({ err }, 'generic stream handler failed');
      this.fail('internal', 'internal error', CLOSE.internal);
    }
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (msg.type === 'start') return void this.onStart(msg);
    if (this.state !== 'streaming') return this.fail('unexpected_message', `${String(msg.type).slice(0, 32)} before start`, CLOSE.protocol);
    switch (msg.type) {
      case 'dtmf':
        if (typeof msg.digit !== 'string' || !DTMF_DIGIT.test(msg.digit)) return this.fail('bad_message', 'dtmf needs one digit of 0-9 * # A-D', CLOSE.protocol);
        return this.queue.push({ type: 'dtmf', digit: msg.digit, atMs: this.nowMs() });
      case 'mark':
        if (typeof msg.name !== 'string') return this.fail('bad_message', 'mark needs a name', CLOSE.protocol);
        return this.queue.push({ type: 'mark', name: msg.name, atMs: this.nowMs() });
      case 'stop':
        return this.finish(EndReason.streamStopped, 'stopped');
      default:
        return this.fail('unknown_message', `unknown message type "${String(msg.type).slice(0, 32)}"`, CLOSE.protocol);
    }
  }

  private async onStart(msg: Record<string, unknown>): Promise<void> {
    if (this.state !== 'awaiting_start') return this.fail('unexpected_message', 'second start message', CLOSE.protocol);
    if (typeof msg.token !== 'string' || msg.token.length === 0) return this.fail('unauthorized', 'start needs a token', CLOSE.unauthorized);
    if (msg.sampleRate !== undefined && msg.sampleRate !== GENERIC_SAMPLE_RATE) return this.fail('bad_media_format', `unsupported sample rate ${String(msg.sampleRate)} (need 16000)`, CLOSE.format);
    if (msg.encoding !== undefined && msg.encoding !== 'L16') return this.fail('bad_media_format', `unsupported encoding ${String(msg.encoding).slice(0, 20)} (need L16)`, CLOSE.format);
    if (msg.callerId !== undefined && (typeof msg.callerId !== 'string' || msg.callerId.length > 64)) return this.fail('bad_message', 'callerId must be a short string', CLOSE.protocol);
    this.state = 'authenticating';
    let auth: GenericAuthResult | null = null;
    try {
      if (this.opts.authenticate) auth = await this.opts.authenticate(msg.token);
      else if (this.opts.tokens) {
        const check = this.opts.tokens.consume(msg.token, 'generic');
        auth = check.ok ? { tenantId: check.claims.tenantId } : null;
      }
    } catch (err) {
      this.ctx.logger.error({ err }, 'generic connector authentication failed');
    }
    if ((this.state as State) === 'ended') return;
    if (!auth) return this.fail('unauthorized', 'invalid or expired token', CLOSE.unauthorized);
    clearTimeout(this.startTimer);
    const parameters = stringParameters(msg.parameters);
    this.info = {
      callId: randomUUID(),
      connector: 'generic',
      externalCallId: typeof msg.callId === 'string' ? msg.callId.slice(0, 128) : randomUUID(),
      from: typeof msg.callerId === 'string' ? msg.callerId : undefined,
      tenantId: auth.tenantId,
      parameters,
      sampleRate: GENERIC_SAMPLE_RATE,
      channels: ['caller'],
    };
    this.state = 'streaming';
    this.startedAt = Date.now();
    this.sendJson({ type: 'started', callId: this.info.callId, sampleRate: GENERIC_SAMPLE_RATE });
    this.ctx.startCall(this);
  }

  private onAudio(bytes: Uint8Array): void {
    if (this.state !== 'streaming') return this.fail('unexpected_audio', 'audio before start', CLOSE.protocol);
    if (bytes.length === 0 || bytes.length % 2 !== 0) return this.fail('bad_audio_frame', `audio frame of ${bytes.length} bytes is not whole 16-bit samples`, CLOSE.format);
    this.queue.push({ type: 'audio', channel: 'caller', pcm: pcm16FromLittleEndian(bytes), atMs: this.nowMs() });
  }

  private sendJson(msg: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg), () => {});
  }

  private nowMs(): number {
    return Date.now() - (this.startedAt || this.openedAt);
  }

  private fail(kind: string, message: string, code: number): void {
    if (this.state === 'ended') return;
    this.ctx.countError(kind);
    this.ctx.logger.warn({ kind, callId: this.info?.callId }, `generic stream protocol error: ${message}`);
    this.sendJson({ type: 'error', code: kind, message });
    this.finish(kind === 'unauthorized' ? EndReason.unauthorized : EndReason.protocolError, message, code, false);
  }

  private finish(reason: EndReason, text: string, code: number = CLOSE.normal, sendEnd = true): void {
    if (this.state === 'ended') return;
    const wasStreaming = this.state === 'streaming';
    this.state = 'ended';
    clearTimeout(this.startTimer);
    this.framer.discard();
    if (sendEnd && wasStreaming) this.sendJson({ type: 'end', reason: text });
    this.queue.end(reason, this.nowMs());
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, closeReason(text));
  }

  private onSocketClose(): void {
    clearTimeout(this.startTimer);
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.framer.discard();
    this.queue.end(EndReason.connectionLost, this.nowMs());
  }
}
