import { mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { ensureDebianBinary, freePort, spawnServer, stopProcess, waitUntil } from './processes.ts';

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      s.destroy();
    });
  });
}

/**
 * Start a redis-server on a free loopback port. Redis has no embedded form and BullMQ needs the real
 * one; with `dir`, it persists (AOF) so queued jobs survive a restart of the platform.
 */
export async function startLocalRedis(opts: { bin?: string; dir?: string; port?: number } = {}): Promise<LocalRedis> {
  const bin = opts.bin ?? 'redis-server';
  ensureDebianBinary(bin, 'redis-server');
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'];
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    args.push('--dir', opts.dir, '--appendonly', 'yes');
  } else {
    args.push('--appendonly', 'no');
  }
  const child: ChildProcess & { output: string } = spawnServer(bin, args);
  await waitUntil(() => ping(port), `redis-server on port ${port}`, 10_000, child);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopProcess(child) };
}
