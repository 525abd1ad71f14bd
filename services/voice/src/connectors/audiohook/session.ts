import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '@cc/core';
import { mulawToPcm16, pcm16ToMulaw } from '../../audio/mulaw.ts';
import type { AudioChannel, CallInfo, InboundMedia, MediaTransport, TransferRequest } from '../../transport/media-transport.ts';
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
import type { AudioHookAuthContext } from './auth.ts';
import {
  acceptableMedia,
  AUDIOHOOK_VERSION,
  isClientMessage,
  NULL_UUID,
  parseDuration,
  UUID_RE,
  type ClientMessage,
  type DisconnectReason,
  type MediaFormat,
  type MediaParameter,
  type ServerMessage,
} from './protocol.ts';

/**
 * The server side of one AudioHook v2 session (Genesys Cloud is the client and always opens and
 * closes it):
 *
 *   client: open ─▶ server: opened (media chosen) ─▶ binary audio frames, ping/pong, paused/resumed,
 *   update … ─▶ client: close ─▶ server: closed ─▶ client closes the WebSocket.
 *
 * The server ends a session by sending `disconnect` (reason completed — with output variables for a
 * transfer —, unauthorized or error) and then answers the client's close transaction. Protocol
 * errors (bad JSON, unknown types, seq/serverseq out of order, bad frames, …) get a `disconnect`
 * with reason error and an `info` that names the problem. The probe connection (conversationId
 * all zeros) is answered (`opened`, later `closed`) without starting a call.
 *
 * Audio for the caller arrives on the `external` channel, the human agent on `internal`; stereo
 * frames are interleaved (one PCMU byte or one little-endian L16 sample per channel). Agent audio
 * goes back (Audio Connector) as mono binary frames in the negotiated format; `clear()` sends an
 * `event` with a `barge_in` entity. AudioHook has no playback marks, so `mark()` is answered from a
 * playout clock (real time from when the audio was sent).
 */
export interface AudioHookSessionOptions {
  /** Formats we accept, any order; the client's order of preference decides. Default PCMU and L16. */
  formats?: MediaFormat[];
  /** Send agent audio: 'auto' (only when the selected media is mono, i.e. Audio Connector), 'always', 'never'. */
  outboundAudio?: 'auto' | 'always' | 'never';
  /** Duration of each outbound audio frame. Default 20 ms. */
  outboundFrameMs?: number;
  /** Wait this long for `open` after the upgrade. Default 10 s. */
  openTimeoutMs?: number;
  /** After our `disconnect` or `closed`, close the socket if the client has not within this time. Default 5 s. */
  closeTimeoutMs?: number;
  /** Largest binary frame accepted. Default 64000 bytes. */
  maxFrameBytes?: number;
  maxBufferedEvents?: number;
}

type State = 'preparing' | 'active' | 'paused' | 'closed';

const CHANNEL_OF = { external: 'caller', internal: 'agent' } as const satisfies Record<string, AudioChannel>;

export class AudioHookSession implements MediaTransport, ManagedConnection {
  private state: State = 'preparing';
  private seq = 0;
  private clientseq = 0;
  private disconnectSent = false;
  private endReason: EndReason | undefined;
  private media: MediaParameter | undefined;
  private positionSamples = 0;
  private lastClientPositionMs = 0;
  private probe = false;
  private info: CallInfo | undefined;
  private readonly queue: InboundQueue;
  private readonly framer: Framer;
  private readonly frameMs: number;
  private playoutEndsAt = 0;
  private pendingMarks: { name: string; timer: NodeJS.Timeout }[] = [];
  private openTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private socketClosed = false;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly auth: AudioHookAuthContext,
    private readonly opts: AudioHookSessionOptions = {},
  ) {
    this.queue = new InboundQueue(opts.maxBufferedEvents ?? 3000, () => ctx.countDropped());
    this.frameMs = opts.outboundFrameMs ?? 20;
    this.framer = new Framer((8000 * this.frameMs) / 1000, (frame) => this.sendFrame(frame));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onSocketClose());
    this.openTimer = setTimeout(() => this.protocolError('open_timeout', 'No open message received'), opts.openTimeoutMs ?? 10_000);
    this.openTimer.unref?.();
  }

  get call(): CallInfo {
    if (!this.info) throw new AppError('session_not_open', 'The AudioHook session is not open yet');
    return this.info;
  }

  /** The selected media (after `opened`). */
  get selectedMedia(): MediaParameter | undefined {
    return this.media;
  }

  /** Audio received so far, in ms (what the client reports as `position`). */
  get positionMs(): number {
    return this.positionSamples / 8;
  }

  get isProbe(): boolean {
    return this.probe;
  }

  inbound(): AsyncIterable<InboundMedia> {
    return this.queue.iterable();
  }

  sendAudio(pcm: Int16Array): void {
    if (!this.canSendAudio()) return;
    this.framer.push(pcm);
  }

  mark(name: string): void {
    if (!this.isLive()) return;
    this.framer.flush();
    const delay = Math.max(0, this.playoutEndsAt - Date.now());
    const entry = { name, timer: setTimeout(() => this.fireMark(entry), delay) };
    entry.timer.unref?.();
    this.pendingMarks.push(entry);
  }

  clear(): void {
    if (!this.isLive()) return;
    this.framer.discard();
    this.playoutEndsAt = Date.now();
    this.send('event', { entities: [{ type: 'barge_in', data: {} }] });
    // As on Twilio: marks for audio that will now never play are reported at once.
    for (const m of [...this.pendingMarks]) {
      clearTimeout(m.timer);
      this.fireMark(m);
    }
  }

  async transfer(request: TransferRequest): Promise<void> {
    if (!this.isLive() || !this.info) throw new AppError('call_not_active', 'The AudioHook session is not active', { status: 409 });
    this.framer.discard();
    const outputVariables: Record<string, string> = {
      ...request.variables,
      transferTarget: request.target,
      transferReason: request.reason,
      contextId: request.contextId,
    };
    this.endReason = EndReason.transferred;
    this.disconnect('completed', request.reason, outputVariables);
    this.ctx.logger.info({ callId: this.info.callId, target: request.target }, 'audiohook call handed back with disconnect');
    await this.closed();
  }

  async hangup(reason: string): Promise<void> {
    if (this.state === 'closed' || this.socketClosed) return;
    this.framer.flush();
    this.endReason ??= EndReason.hangup;
    if (!this.disconnect('completed', reason)) return;
    await this.closed();
  }

  /** Server-initiated pause (the client answers `paused`). */
  pause(): void {
    if (this.isLive()) this.send('pause', {});
  }

  /** End a server-initiated pause (the client answers `resumed`). */
  resume(): void {
    if (this.isLive()) this.send('resume', {});
  }

  shutdown(): void {
    if (this.state === 'preparing' || this.state === 'closed') {
      this.endWith(EndReason.shutdown);
      this.ws.close(1001, 'server shutting down');
      return;
    }
    this.endReason ??= EndReason.shutdown;
    this.disconnect('completed', 'server shutting down');
    this.endWith(EndReason.shutdown);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.socketClosed) return;
    try {
      if (isBinary) this.onBinary(rawToBytes(data));
      else this.onText(rawToString(data));
    } catch (err) {
      this.ctx.logger.error({ err }, 'audiohook session handler failed');
      this.protocolError('internal', 'Internal server error');
    }
  }

  private onText(text: string): void {
    if (this.state === 'closed') return;
    if (text.length > 65535) return this.protocolError('too_large', `Text message too large (${text.length} characters)`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.protocolError('bad_json', 'Text message not valid JSON');
    }
    if (!isClientMessage(raw)) return this.protocolError('bad_message', 'Message not a well-formed client message');
    const msg = raw;
    if (msg.seq !== this.clientseq + 1) {
      const expected = this.clientseq + 1;
      // Keep counting from the highest seq seen, so the client's close transaction can still complete.
      this.clientseq = Math.max(this.clientseq, msg.seq);
      if (msg.type === 'close' && this.disconnectSent) return this.onClose(msg);
      return this.protocolError('bad_sequence', `Invalid seq value ${msg.seq} (expected ${expected}): duplicate or out of order`);
    }
    this.clientseq = msg.seq;
    if (msg.serverseq > this.seq) return this.protocolError('bad_sequence', `Invalid serverseq value ${msg.serverseq} (server sent ${this.seq})`);
    if (msg.id !== this.auth.sessionId) return this.protocolError('bad_session_id', 'Session identifier mismatch');
    this.lastClientPositionMs = parseDuration(msg.position) ?? this.lastClientPositionMs;

    // After our disconnect only the close transaction (and keep-alive) matter.
    if (this.disconnectSent && msg.type !== 'close' && msg.type !== 'ping') return;
    switch (msg.type) {
      case 'open':
        return this.onOpen(msg);
      case 'close':
        return this.onClose(msg);
      case 'ping':
        return void this.send('pong', {});
      case 'paused':
        if (this.state === 'active') {
          this.state = 'paused';
          this.queue.push({ type: 'paused', atMs: this.positionMs });
        }
        return;
      case 'resumed':
        if (this.state === 'paused') {
          this.state = 'active';
          this.queue.push({ type: 'resumed', atMs: this.positionMs });
        }
        return;
      case 'update':
        if (this.info && typeof msg.parameters.language === 'string') this.info.parameters.language = msg.parameters.language;
        return;
      case 'discarded':
        this.ctx.logger.debug({ callId: this.info?.callId, parameters: msg.parameters }, 'audiohook client discarded audio');
        return;
      case 'error':
        this.ctx.countError('client_reported_error');
        this.ctx.logger.warn({ callId: this.info?.callId, code: msg.parameters.code, message: msg.parameters.message }, 'audiohook client reported an error');
        return;
      case 'dtmf': {
        const digit = msg.parameters.digit;
        if (typeof digit !== 'string' || !DTMF_DIGIT.test(digit)) return this.protocolError('bad_message', "Invalid 'dtmf' message: Invalid/missing parameters");
        if (this.isLive()) this.queue.push({ type: 'dtmf', digit, atMs: this.positionMs });
        return;
      }
      case 'playback_started':
      case 'playback_completed':
        return;
      default:
        return this.protocolError('unknown_message', `'${msg.type.slice(0, 40)}' is not a supported client message`);
    }
  }

  private onOpen(msg: ClientMessage): void {
    if (this.state !== 'preparing') return this.protocolError('unexpected_message', `'open' in state ${this.state}`);
    clearTimeout(this.openTimer);
    const p = msg.parameters;
    const participant = isPlainObject(p.participant) ? p.participant : undefined;
    if (typeof p.organizationId !== 'string' || typeof p.conversationId !== 'string' || !UUID_RE.test(p.conversationId) || !participant || !Array.isArray(p.media)) {
      return this.protocolError('bad_message', "Invalid 'open' message: Invalid/missing parameters");
    }
    if (p.organizationId.toLowerCase() !== this.auth.organizationId.toLowerCase()) {
      this.ctx.countError('unauthorized');
      this.endReason = EndReason.unauthorized;
      this.disconnect('unauthorized', 'organizationId does not match the Audiohook-Organization-Id header');
      this.endWith(EndReason.unauthorized);
      return;
    }
    const formats = this.opts.formats ?? ['PCMU', 'L16'];
    // The client lists media in its order of preference; take the first we can use that carries the caller.
    const usable = p.media.map((m) => acceptableMedia(m, formats)).filter((m): m is MediaParameter => m !== null);
    const selected = usable.find((m) => m.channels.includes('external')) ?? usable[0];
    if (!selected) return this.protocolError('bad_media_format', `No supported media offered (need ${formats.join(' or ')} at 8000 Hz, external/internal channels)`);
    this.media = selected;
    this.probe = p.conversationId === NULL_UUID;
    this.state = 'active';
    this.send('opened', { startPaused: false, media: [selected] });
    if (this.probe) {
      this.ctx.logger.info({ sessionId: this.auth.sessionId }, 'audiohook connection probe answered');
      return;
    }
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const parameters = stringParameters(p.customConfig, p.inputVariables);
    if (typeof p.language === 'string') parameters.language = p.language;
    parameters.audiohookSessionId = this.auth.sessionId;
    parameters.correlationId = this.auth.correlationId;
    if (typeof participant.id === 'string') parameters.participantId = participant.id;
    this.info = {
      callId: randomUUID(),
      connector: 'genesys',
      externalCallId: p.conversationId,
      from: str(participant.ani),
      to: str(participant.dnis),
      tenantId: this.auth.tenantId,
      parameters,
      sampleRate: 8000,
      channels: selected.channels.map((c) => CHANNEL_OF[c]),
    };
    this.ctx.logger.info({ callId: this.info.callId, conversationId: p.conversationId, media: selected }, 'audiohook session opened');
    this.ctx.startCall(this);
  }

  private onClose(msg: ClientMessage): void {
    if (this.state === 'closed') return;
    this.framer.discard();
    this.send('closed', {});
    this.state = 'closed';
    const reason = msg.parameters.reason;
    this.endWith(this.endReason ?? (reason === 'error' ? EndReason.clientError : EndReason.streamStopped));
    this.resolveCloseWaiters();
    this.armCloseTimer();
  }

  private onBinary(bytes: Uint8Array): void {
    if (this.disconnectSent || this.state === 'closed') return; // in flight when we disconnected
    if (this.state !== 'active' || !this.media) return this.protocolError('unexpected_audio', `Received audio in state ${this.state}`);
    if (bytes.length > (this.opts.maxFrameBytes ?? 64_000)) return this.protocolError('too_large', `Audio frame too large (${bytes.length} bytes)`);
    const channels = this.media.channels.length;
    const bytesPerFrame = channels * (this.media.format === 'PCMU' ? 1 : 2);
    if (bytes.length === 0 || bytes.length % bytesPerFrame !== 0) {
      return this.protocolError('bad_audio_frame', `Binary data not a valid audio frame (${bytes.length} bytes, not a multiple of ${bytesPerFrame})`);
    }
    const interleaved = this.media.format === 'PCMU' ? mulawToPcm16(bytes) : pcm16FromLittleEndian(bytes);
    const n = interleaved.length / channels;
    const atMs = this.positionMs;
    this.positionSamples += n;
    if (this.probe) return;
    for (let c = 0; c < channels; c++) {
      let pcm: Int16Array;
      if (channels === 1) pcm = interleaved;
      else {
        pcm = new Int16Array(n);
        for (let i = 0, j = c; i < n; i++, j += channels) pcm[i] = interleaved[j]!;
      }
      this.queue.push({ type: 'audio', channel: CHANNEL_OF[this.media.channels[c]!], pcm, atMs });
    }
  }

  private sendFrame(frame: Int16Array): void {
    if (!this.canSendAudio() || !this.media) return;
    const payload = this.media.format === 'PCMU' ? pcm16ToMulaw(frame) : pcm16ToLittleEndian(frame);
    this.playoutEndsAt = Math.max(Date.now(), this.playoutEndsAt) + this.frameMs;
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(payload, { binary: true }, () => {});
  }

  private canSendAudio(): boolean {
    if (!this.isLive() || this.probe || !this.media) return false;
    const mode = this.opts.outboundAudio ?? 'auto';
    return mode === 'always' || (mode === 'auto' && this.media.channels.length === 1);
  }

  private isLive(): boolean {
    return (this.state === 'active' || this.state === 'paused') && !this.disconnectSent && !this.socketClosed;
  }

  private fireMark(entry: { name: string; timer: NodeJS.Timeout }): void {
    const i = this.pendingMarks.indexOf(entry);
    if (i < 0) return;
    this.pendingMarks.splice(i, 1);
    this.queue.push({ type: 'mark', name: entry.name, atMs: this.positionMs });
  }

  private send(type: ServerMessage['type'], parameters: Record<string, unknown>): boolean {
    if (this.socketClosed || this.ws.readyState !== this.ws.OPEN) return false;
    const msg: ServerMessage = { version: AUDIOHOOK_VERSION, id: this.auth.sessionId, type, seq: ++this.seq, clientseq: this.clientseq, parameters };
    this.ws.send(JSON.stringify(msg), () => {});
    return true;
  }

  /** Send `disconnect` once; the client then runs its close transaction. */
  private disconnect(reason: DisconnectReason, info?: string, outputVariables?: Record<string, string>): boolean {
    if (this.disconnectSent || this.state === 'closed') return false;
    const parameters: Record<string, unknown> = { reason };
    if (info) parameters.info = info;
    if (outputVariables) parameters.outputVariables = outputVariables;
    if (!this.send('disconnect', parameters)) return false;
    this.disconnectSent = true;
    this.framer.discard();
    this.armCloseTimer();
    return true;
  }

  private protocolError(kind: string, info: string): void {
    if (this.disconnectSent || this.state === 'closed' || this.socketClosed) return;
    clearTimeout(this.openTimer);
    this.ctx.countError(kind);
    this.ctx.logger.warn({ kind, callId: this.info?.callId, sessionId: this.auth.sessionId }, `audiohook protocol error: ${info}`);
    this.endReason = EndReason.protocolError;
    if (!this.disconnect('error', info)) this.ws.close(1008, closeReason(info));
    this.endWith(EndReason.protocolError);
  }

  private endWith(reason: EndReason): void {
    for (const m of this.pendingMarks) clearTimeout(m.timer);
    this.pendingMarks = [];
    this.queue.end(reason, this.positionMs);
  }

  private armCloseTimer(): void {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => {
      if (!this.socketClosed) this.ws.terminate();
    }, this.opts.closeTimeoutMs ?? 5000);
    this.closeTimer.unref?.();
  }

  private closed(): Promise<void> {
    if (this.state === 'closed' || this.socketClosed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  private resolveCloseWaiters(): void {
    for (const w of this.closeWaiters.splice(0)) w();
  }

  private onSocketClose(): void {
    this.socketClosed = true;
    clearTimeout(this.openTimer);
    clearTimeout(this.closeTimer);
    this.framer.discard();
    if (this.state !== 'closed') this.ctx.logger.info({ callId: this.info?.callId, state: this.state }, 'audiohook socket closed before the close transaction');
    this.state = 'closed';
    this.endWith(this.endReason ?? EndReason.connectionLost);
    this.resolveCloseWaiters();
  }

  /** Last `position` the client reported (ms). */
  get clientPositionMs(): number {
    return this.lastClientPositionMs;
  }
}
