import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { AppError } from '@cc/core';

const handlerPath = fileURLToPath(new URL('../../../web/build/handler.js', import.meta.url));

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve the SvelteKit console's production build (adapter-node handler) in this process. The console
 * reaches the platform only through the API at `apiUrl`.
 */
export async function startWebConsole(opts: { apiUrl: string; host: string; port: number }): Promise<RunningConsole> {
  if (!existsSync(handlerPath)) {
    throw new AppError('console_not_built', `The console is not built (${handlerPath} missing). Run: pnpm --filter @cc/web build`);
  }
  process.env.API_URL = opts.apiUrl;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  // adapter-node checks form posts against ORIGIN (else it assumes https); it must be set before the handler loads.
  process.env.ORIGIN ??= `http://${host}:${port}`;
  const url = process.env.ORIGIN;
  const { handler } = (await import(pathToFileURL(handlerPath).href)) as { handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void };
  server.on('request', (req, res) =>
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    }),
  );
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
