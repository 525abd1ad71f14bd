/**
 * Test support for the connector suites (not used at runtime): a loopback server with the connectors
 * attached, a WebSocket test client that queues what it receives, a recorder standing in for the
 * pipeline, and a fake socket for feeding handlers directly.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import WebSocket from 'ws';
import { createLogger, type Logger } from '@cc/core';
import { decodeWav } from '../audio/wav.ts';
import type { InboundMedia, MediaTransport } from '../transport/media-transport.ts';
import { attachConnectors, type AttachConnectorsOptions, type AttachedConnectors } from './attach.ts';
import type { ConnectionContext } from './shared.ts';

export const quietLogger: Logger = createLogger({ level: 'silent' });

export function fsddRecording(name = '0_george_0.wav'): Int16Array {
  const wav = decodeWav(readFileSync(new URL(`../../../../../shared/data/audio/fsdd/${name}`, import.meta.url)));
  if (wav.sampleRate !== 8000) throw new Error(`expected 8 kHz, got ${wav.sampleRate}`);
  return wav.channels[0]!;
}

export interface RecordedCall {
  transport: MediaTransport;
  events: InboundMedia[];
  /** Resolves when inbound() has ended. */
  done: Promise<void>;
}

/** Stands in for the pipeline: records every call's inbound events in order. */
export class CallRecorder {
  readonly calls: RecordedCall[] = [];
  private waiters: ((c: RecordedCall) => void)[] = [];
  /** Calls keep running until this resolves (so tests can act on the transport). */
  hold: Promise<void> | undefined;

  readonly onCall = async (transport: MediaTransport): Promise<void> => {
    let finish!: () => void;
    const rec: RecordedCall = { transport, events: [], done: new Promise((r) => (finish = r)) };
    this.calls.push(rec);
    const w = this.waiters.shift();
    if (w) w(rec);
    for await (const e of transport.inbound()) rec.events.push(e);
    finish();
    await this.hold;
  };

  nextCall(timeoutMs = 3000): Promise<RecordedCall> {
    const ready = this.calls[this.taken];
    if (ready) {
      this.taken++;
      return Promise.resolve(ready);
    }
    return withTimeout(
      new Promise<RecordedCall>((resolve) =>
        this.waiters.push((c) => {
          this.taken++;
          resolve(c);
        }),
      ),
      timeoutMs,
      'no call started',
    );
  }
  private taken = 0;
}

export interface TestServer {
  server: Server;
  port: number;
  httpUrl: string;
  wsUrl: string;
  attached: AttachedConnectors;
  close(): Promise<void>;
}

export async function startTestServer(opts: Omit<AttachConnectorsOptions, 'logger'> & { routes?: Hono }): Promise<TestServer> {
  const app = opts.routes ?? new Hono();
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const attached = attachConnectors(server, { logger: quietLogger, ...opts });
  return {
    server,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    attached,
    close: async () => {
      await attached.close(1000);
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface Received {
  binary: boolean;
  data: Buffer;
  text: string;
}

/** A WebSocket client that queues everything it receives. */
export class TestClient {
  private readonly queue: Received[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.queue.push({ binary: isBinary, data, text: isBinary ? '' : data.toString('utf8') });
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  static connect(url: string, opts: { headers?: Record<string, string>; autoPong?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: opts.headers, autoPong: opts.autoPong ?? true, perMessageDeflate: false });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body.trim()}`), { status: res.statusCode, body })));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  send(msg: object | string | Uint8Array): void {
    if (msg instanceof Uint8Array) this.ws.send(msg, { binary: true });
    else this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  async next(timeoutMs = 2000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift()!;
  }

  /** Next text message, parsed; binary frames before it are skipped (and returned in `skipped`). */
  async nextJson<T = Record<string, unknown>>(timeoutMs = 2000, skipped: Buffer[] = []): Promise<T> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m.binary) return JSON.parse(m.text) as T;
      skipped.push(m.data);
    }
  }

  /** Everything received so far (without waiting). */
  drain(): Received[] {
    return this.queue.splice(0);
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason);
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function until(cond: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stand-in for a `ws` server-side socket, for feeding a handler messages directly. */
export class FakeSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  readonly sent: (string | Uint8Array)[] = [];
  closeCode: number | undefined;
  closeText: string | undefined;
  terminated = false;

  send(data: string | Uint8Array, a?: unknown, b?: unknown): void {
    // Like ws: sending on a closing socket is not an error, the data is just dropped.
    if (this.readyState !== 1) return;
    this.sent.push(data);
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    (cb as ((err?: Error) => void) | undefined)?.();
  }

  /** Close calls a real `ws` socket would have refused (bad code or over-long reason). */
  readonly invalidCloses: string[] = [];

  close(code?: number, reason?: string): void {
    if (code !== undefined && !(code === 1000 || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999))) {
      this.invalidCloses.push(`code ${code}`);
    }
    if (reason !== undefined && Buffer.byteLength(reason) > 123) this.invalidCloses.push(`reason of ${Buffer.byteLength(reason)} bytes`);
    if (this.readyState >= 2) return;
    this.closeCode = code;
    this.closeText = reason;
    this.readyState = 2;
    queueMicrotask(() => this.finishClose(code ?? 1005, reason ?? ''));
  }

  terminate(): void {
    this.terminated = true;
    if (this.readyState === 3) return;
    this.readyState = 2;
    queueMicrotask(() => this.finishClose(1006, ''));
  }

  /** The peer vanished. */
  drop(): void {
    this.finishClose(1006, '');
  }

  deliver(data: string | Uint8Array): void {
    if (this.readyState !== 1) return;
    if (typeof data === 'string') this.emit('message', Buffer.from(data), false);
    else this.emit('message', Buffer.from(data), true);
  }

  json(): Record<string, unknown>[] {
    return this.sent.filter((s): s is string => typeof s === 'string').map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  private finishClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', code, Buffer.from(reason));
  }
}

/** A ConnectionContext that records what the handler reports. */
export function fakeContext(connector: ConnectionContext['connector'] = 'twilio'): ConnectionContext & { started: MediaTransport[]; errors: string[] } {
  const started: MediaTransport[] = [];
  const errors: string[] = [];
  return {
    connector,
    logger: quietLogger,
    startCall: (t) => void started.push(t),
    countError: (k) => void errors.push(k),
    countDropped: () => {},
    started,
    errors,
  };
}

export async function collect(transport: MediaTransport, timeoutMs = 2000): Promise<InboundMedia[]> {
  const out: InboundMedia[] = [];
  await withTimeout(
    (async () => {
      for await (const e of transport.inbound()) out.push(e);
    })(),
    timeoutMs,
    'inbound to end',
  );
  return out;
}
