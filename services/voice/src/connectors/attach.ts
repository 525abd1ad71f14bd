import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Connector, Logger } from '@cc/core';
import type { MediaTransport } from '../transport/media-transport.ts';
import { AudioHookAuthenticator, type AudioHookAuthContext, type AudioHookAuthOptions } from './audiohook/auth.ts';
import { AudioHookSession, type AudioHookSessionOptions } from './audiohook/session.ts';
import { GenericSession, type GenericConnectorOptions } from './generic/session.ts';
import { connectorActive, connectorConnections, connectorDroppedFrames, connectorProtocolErrors } from './metrics.ts';
import { defaultLogger, type ConnectionContext, type ManagedConnection } from './shared.ts';
import { TwilioStreamSession, type TwilioStreamOptions } from './twilio/stream.ts';
import { TWILIO_STREAM_PATH } from './twilio/webhook.ts';

/**
 * Puts the connectors' WebSocket endpoints on the voice runtime's HTTP server:
 *
 *   /v1/twilio/stream   Twilio Media Streams (bidirectional)
 *   /v1/audiohook       Genesys Cloud AudioHook v2 (authenticated before the upgrade)
 *   /v1/stream          generic WebSocket (browsers, simulators)
 *
 * One `ws` server per connector in noServer mode, routed on the `upgrade` event by path, each with its
 * own payload limit. Every connection is isolated (its errors are caught, logged and counted, and
 * close only that connection), pinged every `heartbeatIntervalMs` (a client that misses a pong is
 * cut off and its call ends with `connection_lost`), and its transport is handed to `onCall` once
 * the protocol's handshake is complete. When `onCall` settles the call is ended if still up.
 */
export const AUDIOHOOK_PATH = '/v1/audiohook';
export const GENERIC_STREAM_PATH = '/v1/stream';

type WireConnector = 'twilio' | 'audiohook' | 'generic';

export interface AttachConnectorsOptions {
  /** The pipeline: called once per call with its transport; the promise covers the whole call. */
  onCall(transport: MediaTransport): Promise<void>;
  logger?: Logger;
  /** Enables /v1/twilio/stream. */
  twilio?: TwilioStreamOptions;
  /** Enables /v1/audiohook. */
  audiohook?: AudioHookAuthOptions & AudioHookSessionOptions;
  /** Enables /v1/stream. */
  generic?: GenericConnectorOptions;
  /** Largest WebSocket message per connector (bigger ones close the socket with 1009). */
  maxPayloadBytes?: Partial<Record<WireConnector, number>>;
  /** Default 15 s; 0 disables. */
  heartbeatIntervalMs?: number;
  /** Refuse upgrades (HTTP 503) beyond this many open connector sockets. Default: no limit. */
  maxConnections?: number;
}

export interface AttachedConnectors {
  /** Enabled connectors (as `CallInfo.connector` names them). */
  readonly connectors: Connector[];
  activeConnections(): number;
  activeCalls(): number;
  /** Stop accepting, say goodbye on every connection, wait for them and their calls (up to timeoutMs). */
  close(timeoutMs?: number): Promise<void>;
}

interface Route {
  connector: Connector;
  wss: WebSocketServer;
  authorize?(req: IncomingMessage): Promise<{ ok: true; context: AudioHookAuthContext } | { ok: false; status: number; kind: string; message: string }>;
  create(ws: WebSocket, ctx: ConnectionContext, auth: AudioHookAuthContext | undefined): ManagedConnection;
}

interface LiveConnection {
  ws: WebSocket;
  connector: Connector;
  alive: boolean;
  session?: ManagedConnection;
}

const DEFAULT_MAX_PAYLOAD: Record<WireConnector, number> = { twilio: 64 * 1024, audiohook: 128 * 1024, generic: 64 * 1024 };
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function attachConnectors(server: Server, opts: AttachConnectorsOptions): AttachedConnectors {
  const logger = (opts.logger ?? defaultLogger()).child({ component: 'voice-connectors' });
  const routes = new Map<string, Route>();
  const newWss = (wire: WireConnector) =>
    new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: opts.maxPayloadBytes?.[wire] ?? DEFAULT_MAX_PAYLOAD[wire] });

  if (opts.twilio) {
    const twilio = opts.twilio;
    routes.set(TWILIO_STREAM_PATH, { connector: 'twilio', wss: newWss('twilio'), create: (ws, ctx) => new TwilioStreamSession(ws, ctx, twilio) });
  }
  if (opts.audiohook) {
    const ah = opts.audiohook;
    const authenticator = new AudioHookAuthenticator(ah);
    routes.set(AUDIOHOOK_PATH, {
      connector: 'genesys',
      wss: newWss('audiohook'),
      authorize: (req) => authenticator.authenticate(req),
      create: (ws, ctx, auth) => new AudioHookSession(ws, ctx, auth!, ah),
    });
  }
  if (opts.generic) {
    const generic = opts.generic;
    routes.set(GENERIC_STREAM_PATH, { connector: 'generic', wss: newWss('generic'), create: (ws, ctx) => new GenericSession(ws, ctx, generic) });
  }

  const live = new Set<LiveConnection>();
  const calls = new Set<Promise<void>>();
  let closing = false;

  const countError = (connector: Connector, kind: string) => connectorProtocolErrors.inc({ connector, kind });

  const startCall = (connector: Connector, transport: MediaTransport) => {
    const call = transport.call;
    const log = logger.child({ connector, callId: call.callId });
    const p = Promise.resolve()
      .then(() => opts.onCall(transport))
      .then(
        () => transport.hangup('call completed'),
        async (err: unknown) => {
          log.error({ err }, 'pipeline failed for this call; ending it');
          await transport.hangup('pipeline error');
        },
      )
      .catch((err: unknown) => log.warn({ err }, 'ending the call after the pipeline failed'));
    calls.add(p);
    void p.finally(() => calls.delete(p));
  };

  const accept = (route: Route, ws: WebSocket, auth: AudioHookAuthContext | undefined) => {
    const conn: LiveConnection = { ws, connector: route.connector, alive: true };
    live.add(conn);
    connectorActive.inc({ connector: route.connector });
    connectorConnections.inc({ connector: route.connector, outcome: 'accepted' });
    const log = logger.child({ connector: route.connector });
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws reports protocol violations (oversized or malformed frames) here and closes the socket itself.
      const kind = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_large' : err.code?.startsWith('WS_ERR_') ? 'bad_frame' : 'socket_error';
      countError(route.connector, kind);
      log.warn({ code: err.code, err: err.message }, 'connector socket error');
    });
    ws.on('close', () => {
      live.delete(conn);
      connectorActive.dec({ connector: route.connector });
    });
    let started = false;
    const ctx: ConnectionContext = {
      connector: route.connector,
      logger: log,
      startCall: (transport) => {
        if (started) return;
        started = true;
        startCall(route.connector, transport);
      },
      countError: (kind) => countError(route.connector, kind),
      countDropped: () => connectorDroppedFrames.inc({ connector: route.connector }),
    };
    try {
      conn.session = route.create(ws, ctx, auth);
    } catch (err) {
      log.error({ err }, 'could not set up the connection');
      ws.close(1011, 'internal error');
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let path = '';
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      /* unparseable target: no route */
    }
    const route = routes.get(path);
    if (!route) {
      // Another upgrade listener may own this path; answer only when we are the only one.
      if (server.listenerCount('upgrade') > 1) return;
      return rejectUpgrade(socket, 404, 'no WebSocket endpoint at this path');
    }
    socket.on('error', (err) => logger.debug({ err: err.message }, 'upgrade socket error'));
    if (closing) return rejectUpgrade(socket, 503, 'shutting down');
    if (opts.maxConnections !== undefined && live.size >= opts.maxConnections) {
      connectorConnections.inc({ connector: route.connector, outcome: 'rejected_busy' });
      return rejectUpgrade(socket, 503, 'too many connections');
    }
    void (async () => {
      let auth: AudioHookAuthContext | undefined;
      if (route.authorize) {
        const outcome = await route.authorize(req);
        if (!outcome.ok) {
          connectorConnections.inc({ connector: route.connector, outcome: outcome.status === 401 ? 'rejected_auth' : 'rejected_bad_request' });
          countError(route.connector, outcome.kind);
          logger.warn({ connector: route.connector, kind: outcome.kind, status: outcome.status }, `upgrade refused: ${outcome.message}`);
          return rejectUpgrade(socket, outcome.status, outcome.message);
        }
        auth = outcome.context;
      }
      if (socket.destroyed) return;
      if (closing) return rejectUpgrade(socket, 503, 'shutting down');
      route.wss.handleUpgrade(req, socket, head, (ws) => accept(route, ws, auth));
    })().catch((err: unknown) => {
      logger.error({ err }, 'upgrade failed');
      rejectUpgrade(socket, 500, 'internal error');
    });
  };
  server.on('upgrade', onUpgrade);

  const heartbeatMs = opts.heartbeatIntervalMs ?? 15_000;
  const heartbeat =
    heartbeatMs > 0
      ? setInterval(() => {
          for (const conn of live) {
            if (!conn.alive) {
              countError(conn.connector, 'heartbeat_timeout');
              logger.info({ connector: conn.connector }, 'connector client stopped answering pings; closing');
              conn.ws.terminate();
              continue;
            }
            conn.alive = false;
            try {
              conn.ws.ping();
            } catch {
              /* socket already closing */
            }
          }
        }, heartbeatMs)
      : undefined;
  heartbeat?.unref?.();

  return {
    connectors: [...routes.values()].map((r) => r.connector),
    activeConnections: () => live.size,
    activeCalls: () => calls.size,
    close: async (timeoutMs = 5000) => {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const conn of live) {
        try {
          if (conn.session) conn.session.shutdown();
          else conn.ws.close(1001, 'server shutting down');
        } catch {
          conn.ws.terminate();
        }
      }
      const deadline = Date.now() + timeoutMs;
      while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const conn of live) conn.ws.terminate();
      const rest = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...calls]), new Promise((r) => (timer = setTimeout(r, rest)))]);
      clearTimeout(timer);
      for (const route of routes.values()) route.wss.close();
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
