import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import postgres from 'postgres';
import { ensureDebianBinary, freePort, spawnServer, stopProcess, waitUntil } from '@cc/platform/processes';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) ensureDebianBinary('/usr/lib/postgresql/15/bin/postgres', 'postgresql');
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql: apt-get install -y postgresql');
  return join(root, versions[0]!, 'bin');
}

/**
 * A throwaway PostgreSQL server for the test suite: its own data directory and port, trust auth on
 * loopback only. Postgres refuses to run as root, so as root it runs as the `postgres` system user.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'cc-pg-'));
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  if (asRoot) chownSync(dir, ids.uid!, ids.gid!);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'cc', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...ids, stdio: 'pipe', cwd: dir });
  const port = await freePort();
  const child = spawnServer(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'], { ...ids, env: { ...process.env } });
  const url = `postgres://cc@127.0.0.1:${port}/postgres`;
  await waitUntil(
    async () => {
      const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 1 });
      try {
        await sql`select 1`;
        return true;
      } finally {
        await sql.end();
      }
    },
    `postgres on port ${port}`,
    30_000,
    child,
  );
  return {
    url,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database on the test server, so each suite starts clean. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
