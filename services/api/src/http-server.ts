import { serve, type ServerType } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port: opts.port, hostname: opts.host }, () => resolve(s));
    s.once('error', reject);
  });
  const http = server as Server;
  // A request counts as in flight until its response has been written out (or its connection died), not
  // merely until the handler returned: cutting connections then would drop responses being written.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  http.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    server,
    close: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      const closed = new Promise<void>((r) => server.close(() => r()));
      http.closeIdleConnections?.();
      if (inFlight > 0) await Promise.race([new Promise<void>((r) => (drained = r)), deadline]);
      // Connections whose last response went out are idle now: end them; cut what still runs at the deadline.
      http.closeIdleConnections?.();
      await Promise.race([closed, deadline]);
      clearTimeout(timer);
      http.closeAllConnections?.();
      await closed;
    },
  };
}
