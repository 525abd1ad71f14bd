import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  port: number;
  server: ServerType;
  /** Stop accepting connections and wait for in-flight requests, up to `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Serve a fetch handler with graceful shutdown: new connections are refused at once, requests already
 * running finish (up to the timeout), idle keep-alive sockets are closed.
 */
export async function startHttpServer(fetch: (req: Request) => Response | Promise<Response>, opts: { port: number; host: string }): Promise<RunningServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const tracked = async (req: Request) => {
    inFlight++;
    try {
      return await fetch(req);
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: tracked, port: opts.port, hostname: opts.host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    server,
    close: async (timeoutMs) => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      (server as Server).closeIdleConnections?.();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise((r) => setTimeout(r, timeoutMs))]);
      }
      (server as Server).closeAllConnections?.();
      await closed;
    },
  };
}
