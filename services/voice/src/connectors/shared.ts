import type { IncomingMessage } from 'node:http';
import type { RawData } from 'ws';
import { createLogger, type Connector, type Logger } from '@cc/core';
import type { InboundMedia, MediaTransport } from '../transport/media-transport.ts';

/**
 * Pieces every connector shares: the in-order inbound event queue behind `MediaTransport.inbound()`,
 * the outbound framer that cuts agent audio into wire frames, the end reasons and the context a
 * connection gets from `attachConnectors`.
 */

/** Why a call's `inbound()` ended (the `reason` of the final `ended` event). */
export const EndReason = {
  /** The CCaaS side ended the stream normally (Twilio `stop`, AudioHook `close` reason end, generic `stop`). */
  streamStopped: 'stream_stopped',
  /** `transfer()` handed the call over. */
  transferred: 'transferred',
  /** `hangup()` was called by the pipeline. */
  hangup: 'hangup',
  /** The socket closed (or stopped answering pings) without the protocol's goodbye. */
  connectionLost: 'connection_lost',
  /** The peer broke the protocol; the connection was closed with the protocol's own error. */
  protocolError: 'protocol_error',
  /** The peer reported an error of its own and closed (AudioHook `close` reason error). */
  clientError: 'client_error',
  /** The connection failed authentication after the upgrade (AudioHook `disconnect` unauthorized). */
  unauthorized: 'unauthorized',
  /** The voice runtime is shutting down. */
  shutdown: 'shutdown',
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];

/** What `attachConnectors` hands each connection. */
export interface ConnectionContext {
  readonly connector: Connector;
  readonly logger: Logger;
  /** The protocol handshake is done: give the transport to the pipeline (at most once per connection). */
  startCall(transport: MediaTransport): void;
  /** Count one protocol error of this connector (the `kind` is a short, bounded label). */
  countError(kind: string): void;
  /** Count an inbound audio frame dropped because the pipeline stopped reading. */
  countDropped(): void;
}

/** A connection as `attachConnectors` manages it. */
export interface ManagedConnection {
  /** Close from the server side (shutdown): the protocol's goodbye where there is one, then the socket. */
  shutdown(): void;
}

export function defaultLogger(): Logger {
  return createLogger({ name: 'voice-connectors' });
}

/**
 * Inbound events in order, for one consumer. Events pushed before the pipeline starts reading are
 * kept (bounded: beyond `maxBuffered` audio frames are dropped and counted, control events never
 * are), and the stream always finishes with exactly one `ended` event.
 */
export class InboundQueue {
  private readonly items: InboundMedia[] = [];
  private waiter: ((r: IteratorResult<InboundMedia>) => void) | null = null;
  private finished = false;
  private abandoned = false;
  private readonly iterator: AsyncIterableIterator<InboundMedia>;

  constructor(
    private readonly maxBuffered = 3000,
    private readonly onDrop: () => void = () => {},
  ) {
    const next = (): Promise<IteratorResult<InboundMedia>> => {
      const item = this.items.shift();
      if (item) return Promise.resolve({ value: item, done: false });
      if (this.finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (this.waiter = resolve));
    };
    const ret = (): Promise<IteratorResult<InboundMedia>> => {
      // The consumer stopped reading: nothing more is buffered for it.
      this.abandoned = true;
      this.items.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    };
    this.iterator = { next, return: ret, [Symbol.asyncIterator]() { return this; } };
  }

  /** True once the `ended` event has been pushed. */
  get ended(): boolean {
    return this.finished;
  }

  push(event: InboundMedia): void {
    if (this.finished || this.abandoned) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: event, done: false });
      return;
    }
    if (event.type === 'audio' && this.items.length >= this.maxBuffered) {
      this.onDrop();
      return;
    }
    this.items.push(event);
  }

  /** Push the final `ended` event (only the first call counts). */
  end(reason: string, atMs: number): void {
    if (this.finished) return;
    this.push({ type: 'ended', reason, atMs });
    this.finished = true;
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  iterable(): AsyncIterable<InboundMedia> {
    return { [Symbol.asyncIterator]: () => this.iterator };
  }
}

/**
 * Cuts agent PCM into fixed wire frames (20 ms for Twilio, for instance). A partial frame waits for
 * the next chunk; it is padded with silence and sent when `flush()` is called (before a mark, a
 * transfer or a hangup) or when no audio has followed for `idleFlushMs`.
 */
export class Framer {
  private pending = new Int16Array(0);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly frameSamples: number,
    private readonly emit: (frame: Int16Array) => void,
    private readonly idleFlushMs = 40,
  ) {}

  push(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    let buf: Int16Array;
    if (this.pending.length === 0) buf = pcm;
    else {
      buf = new Int16Array(this.pending.length + pcm.length);
      buf.set(this.pending, 0);
      buf.set(pcm, this.pending.length);
    }
    let offset = 0;
    while (buf.length - offset >= this.frameSamples) {
      this.emit(buf.slice(offset, offset + this.frameSamples));
      offset += this.frameSamples;
    }
    this.pending = buf.slice(offset);
    this.clearTimer();
    if (this.pending.length > 0) {
      this.timer = setTimeout(() => this.flush(), this.idleFlushMs);
      this.timer.unref?.();
    }
  }

  flush(): void {
    this.clearTimer();
    if (this.pending.length === 0) return;
    const frame = new Int16Array(this.frameSamples);
    frame.set(this.pending, 0);
    this.pending = new Int16Array(0);
    this.emit(frame);
  }

  discard(): void {
    this.clearTimer();
    this.pending = new Int16Array(0);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Strict RFC 4648 base64 (what Twilio sends); Buffer.from would silently skip junk. */
export function isStrictBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/** Int16 PCM from little-endian bytes (copies, so odd offsets are fine). */
export function pcm16FromLittleEndian(bytes: Uint8Array): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function pcm16ToLittleEndian(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i]!, true);
  return out;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v.join(', ');
  return v;
}

/** A WebSocket close reason must fit in 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  let out = text.replace(/[\r\n]+/g, ' ');
  while (Buffer.byteLength(out, 'utf8') > 123) out = out.slice(0, -1);
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flatten CCaaS-provided parameters to strings (nested values as JSON). */
export function stringParameters(...sources: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const src of sources) {
    if (!isPlainObject(src)) continue;
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined || v === null) continue;
      out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return out;
}

export const DTMF_DIGIT = /^[0-9*#A-D]$/;

/** Text of a `ws` message (which may arrive as a Buffer, an ArrayBuffer or fragments). */
export function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export function rawToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
