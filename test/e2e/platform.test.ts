import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { createDatabase } from '../support/postgres-server.ts';
import { signInApi, startPlatformProcess, type PlatformProcess } from '../support/platform-process.ts';

const artifacts = new URL('../../.tmp/e2e/', import.meta.url).pathname;

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('the start command on embedded defaults (PGlite, chDB, local redis-server)', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (platform) expect(await platform.stop()).toBe(0);
  }, 60_000);

  it('reports every store ready on /readyz', async () => {
    const { status, body } = await json(await fetch(`${platform.urls.api}/readyz`));
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.postgres).toMatchObject({ ok: true, driver: 'pglite' });
    expect(body.checks.clickhouse).toMatchObject({ ok: true, driver: 'chdb' });
    expect(body.checks.redis).toMatchObject({ ok: true, driver: 'local-redis' });
    expect((await fetch(`${platform.urls.voice}/healthz`)).status).toBe(200);
  });

  it('seeds the demo tenant with a user per role', async () => {
    expect(Object.keys(platform.credentials).sort()).toEqual(['admin', 'agent', 'reviewer', 'supervisor']);
    const cookie = await signInApi(platform.urls.api, platform.credentials.admin!.email, platform.credentials.admin!.password);
    const { body } = await json(await fetch(`${platform.urls.api}/v1/kb/articles`, { headers: { cookie } }));
    expect(body.items.length).toBeGreaterThan(50);
    const versions = await json(await fetch(`${platform.urls.api}/v1/agent-versions`, { headers: { cookie } }));
    expect(versions.body.items).toEqual([expect.objectContaining({ agentName: 'demo-agent', status: 'published' })]);
  });

  it('ingests a queued call into ClickHouse through the worker', async () => {
    const cookie = await signInApi(platform.urls.api, platform.credentials.admin!.email, platform.credentials.admin!.password);
    const me = await json(await fetch(`${platform.urls.api}/v1/me`, { headers: { cookie } }));
    const tenantId = me.body.user.tenantId as string;
    const at = new Date().toISOString();
    const turns = [0, 1].map((i) => ({ tenant_id: tenantId, call_id: 'e2e-call', turn_index: i, agent_version: '1.0.0', speaker: i ? 'agent' : 'caller', text_redacted: 'hello', intent: i ? '' : 'check_balance', confidence: 0.9, started_at: at, ended_at: at }));
    const res = await fetch(`${platform.urls.api}/v1/analytics/calls`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': 'e2e-call' },
      body: JSON.stringify({ tenantId, callId: 'e2e-call', turns, events: [{ tenant_id: tenantId, call_id: 'e2e-call', seq: 0, agent_version: '1.0.0', event_type: 'call_ended', at, payload: '{"outcome":"contained"}' }] }),
    });
    expect(res.status).toBe(202);
    let completed = 0;
    for (let i = 0; i < 100 && completed === 0; i++) {
      const q = await json(await fetch(`${platform.urls.api}/v1/queues`, { headers: { cookie } }));
      completed = q.body.queues.find((x: { name: string }) => x.name === 'analytics').completed;
      if (!completed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(completed).toBe(1);
    const metrics = await (await fetch(`${platform.urls.api}/metrics`)).text();
    expect(metrics).toMatch(/cc_jobs_total\{queue="analytics",job="ingest-call-analytics",outcome="completed"\} 1/);
    expect(metrics).toMatch(/cc_clickhouse_rows_written_total\{table="turns"\} 2/);
    expect(metrics).toMatch(/cc_queue_jobs\{queue="analytics",state="completed"\} 1/);
  });

  it('serves the console: sign in as a supervisor and see the overview and the knowledge base', async () => {
    mkdirSync(artifacts, { recursive: true });
    const page = await (await browser.newContext()).newPage();
    await page.goto(platform.urls.console);
    await page.waitForURL(/\/sign-in/);
    await page.fill('input[name=email]', platform.credentials.supervisor!.email);
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await page.getByText(/wrong email or password/i).waitFor();
    await page.fill('input[name=password]', platform.credentials.supervisor!.password);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.screenshot({ path: `${artifacts}overview.png`, fullPage: true });
    await page.goto(`${platform.urls.console}/kb`);
    await page.getByRole('heading', { name: 'Knowledge base' }).waitFor();
    expect(await page.getByText('Recover Password').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${artifacts}kb.png`, fullPage: true });
  });
});

describe('the start command on real servers by configuration (DATABASE_URL, REDIS_URL)', () => {
  it('migrates and seeds a PostgreSQL server and uses the given Redis', async () => {
    const databaseUrl = await createDatabase(inject('databaseUrl'), 'e2e_platform');
    const platform = await startPlatformProcess({ DATABASE_URL: databaseUrl, REDIS_URL: inject('redisUrl') });
    try {
      const { status, body } = await json(await fetch(`${platform.urls.api}/readyz`));
      expect(status).toBe(200);
      expect(body.checks.postgres.driver).toBe('postgres');
      expect(body.checks.redis.driver).toBe('redis');
      expect(platform.credentials.admin).toBeDefined();
    } finally {
      expect(await platform.stop()).toBe(0);
    }
  }, 120_000);

  it('stops with a clear error when a configured store is unreachable', async () => {
    await expect(startPlatformProcess({ DATABASE_URL: 'postgres://cc@127.0.0.1:1/nowhere', REDIS_URL: inject('redisUrl') }, 60_000)).rejects.toThrow(
      /Platform failed to start: postgres unavailable: cannot connect to postgres:\/\/cc@127.0.0.1:1\/nowhere/,
    );
  }, 90_000);

  it('refuses to start with a bad setting, naming the variable and the fix', async () => {
    await expect(startPlatformProcess({ API_PORT: 'eighty', DATABASE_URL: 'mysql://nope' }, 30_000)).rejects.toThrow(/API_PORT[\s\S]*DATABASE_URL[\s\S]*postgres:\/\//);
  });
});
