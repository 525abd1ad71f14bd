import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface PlatformProcess {
  child: ChildProcess;
  urls: { api: string; voice: string; console: string };
  credentials: Record<string, { email: string; password: string }>;
  dataDir: string;
  output: () => string;
  /** SIGTERM, then the exit code (null if it had to be killed). */
  stop(): Promise<number | null>;
}

/**
 * The start command's platform process, as `npm start` runs it (setup aside), on free ports and a
 * throwaway DATA_DIR; the URLs and demo credentials are read from what it prints.
 */
export async function startPlatformProcess(env: Record<string, string> = {}, timeoutMs = 90_000): Promise<PlatformProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-platform-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/platform/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, API_PORT: '0', VOICE_PORT: '0', WEB_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (out.includes('Ctrl-C stops it gracefully')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code}:\n${out}`));
    });
  });

  const url = (label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(out)?.[1] ?? '';
  const credentials: PlatformProcess['credentials'] = {};
  for (const m of out.matchAll(/^\s{4}(admin|supervisor|reviewer|agent)\s+(\S+@\S+)\s+(\S+)$/gm)) credentials[m[1]!] = { email: m[2]!, password: m[3]! };
  return {
    child,
    urls: { api: url('API'), voice: url('Voice'), console: url('Console') },
    credentials,
    dataDir,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Sign in through the API and return the session cookie (`cc_session=…`) for later requests. */
export async function signInApi(api: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${api}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in as ${email} answered ${res.status}: ${await res.text()}`);
  return /cc_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
}
