import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { AppError } from '@cc/core';

export class MissingDependencyError extends AppError {
  constructor(binary: string, debianPackage: string) {
    super('missing_dependency', `${binary} not found. Install it with: sudo apt-get install -y ${debianPackage} (or set the matching *_URL to use an existing server)`, {
      context: { binary, debianPackage },
    });
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function hasBinary(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v "${bin}"`], { stdio: 'ignore' }).status === 0;
}

/**
 * Install a Debian package when its binary is missing and we are root; otherwise say what to install.
 * Used for redis-server, which has no embedded form.
 */
export function ensureDebianBinary(bin: string, debianPackage: string): void {
  if (hasBinary(bin)) return;
  if (process.getuid?.() !== 0 || !hasBinary('apt-get')) throw new MissingDependencyError(bin, debianPackage);
  const res = spawnSync('sh', ['-c', `(apt-get install -y ${debianPackage} || (apt-get update && apt-get install -y ${debianPackage}))`], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (res.status !== 0 || !hasBinary(bin)) throw new MissingDependencyError(bin, debianPackage);
}

/** Resolve when `probe` succeeds, or fail with the child's last output once `timeoutMs` passes. */
export async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number, child?: ChildProcess & { output?: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new AppError('process_exited', `${what} exited with code ${child.exitCode}: ${child.output ?? ''}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new AppError('process_timeout', `${what} did not become ready within ${timeoutMs} ms: ${child?.output ?? ''}`);
}

/** Spawn a long-running server, keeping its last output for error messages. */
export function spawnServer(cmd: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess & { output: string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid, env: opts.env ?? process.env }) as ChildProcess & { output: string };
  child.output = '';
  const keep = (b: Buffer) => {
    child.output = (child.output + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

export async function stopProcess(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
