import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { FAKE_MEDIA_ARGS, launchBrowser } from '../support/browser.ts';
import { signInApi, startPlatformProcess, type PlatformProcess } from '../support/platform-process.ts';

const artifacts = new URL('../../.tmp/e2e/', import.meta.url).pathname;
const OUTCOMES = ['contained', 'contained', 'contained', 'escalated', 'abandoned'] as const;

/** Five finished calls (3 contained, 1 escalated, 1 abandoned) with stage latencies, through the ingestion queue. */
async function ingestCalls(platform: PlatformProcess): Promise<void> {
  const cookie = await signInApi(platform.urls.api, platform.credentials.admin!.email, platform.credentials.admin!.password);
  const me = (await (await fetch(`${platform.urls.api}/v1/me`, { headers: { cookie } })).json()) as { user: { tenantId: string } };
  const tenantId = me.user.tenantId;
  const before = (await (await fetch(`${platform.urls.api}/v1/queues`, { headers: { cookie } })).json()) as { queues: { name: string; completed: number }[] };
  const done0 = before.queues.find((x) => x.name === 'analytics')?.completed ?? 0;
  for (const [i, outcome] of OUTCOMES.entries()) {
    const callId = `dash-e2e-${i}`;
    const at = new Date(Date.now() - i * 3_600_000).toISOString();
    const stageLatency = (['asr', 'llm', 'tts'] as const).map((stage, k) => ({ tenant_id: tenantId, call_id: callId, turn_index: 0, agent_version: '1.0.0', stage, started_at: at, duration_ms: 100 * (k + 1) + i * 10 }));
    const res = await fetch(`${platform.urls.api}/v1/analytics/calls`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': callId },
      body: JSON.stringify({ tenantId, callId, turns: [], stageLatency, events: [{ tenant_id: tenantId, call_id: callId, seq: 0, agent_version: '1.0.0', event_type: 'call_ended', at, payload: JSON.stringify({ outcome }) }] }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
  }
  for (let i = 0; i < 300; i++) {
    const q = (await (await fetch(`${platform.urls.api}/v1/queues`, { headers: { cookie } })).json()) as { queues: { name: string; completed: number }[] };
    if ((q.queues.find((x) => x.name === 'analytics')?.completed ?? 0) >= done0 + OUTCOMES.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the analytics jobs did not complete');
}

async function signIn(page: Page, platform: PlatformProcess, role: 'supervisor'): Promise<void> {
  await page.goto(`${platform.urls.console}/sign-in`);
  await page.waitForLoadState('networkidle');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.fill('input[name=email]', platform.credentials[role]!.email);
    await page.fill('input[name=password]', platform.credentials[role]!.password);
    if ((await page.inputValue('input[name=email]')) === platform.credentials[role]!.email) break;
  }
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

describe('console: overview dashboard and talk to the agent (platform on embedded defaults, headless Chromium)', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    platform = await startPlatformProcess();
    browser = await launchBrowser({ extraArgs: FAKE_MEDIA_ARGS });
    await ingestCalls(platform);
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    if (platform) expect(await platform.stop()).toBe(0);
  }, 60_000);

  it('shows the KPI tiles, charts and drill-down links to a supervisor', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, platform, 'supervisor');
    const tile = (id: string) => page.getByTestId(id).locator('.kpi-value');
    expect(await tile('kpi-containment').textContent()).toBe('60.0%');
    expect(await tile('kpi-escalation').textContent()).toBe('20.0%');
    expect(await tile('kpi-abandonment').textContent()).toBe('20.0%');
    expect(await tile('kpi-volume').textContent()).toBe('5');
    expect(await tile('kpi-intent').textContent()).toBe('—'); // no intent scores ingested: a dash, not 0%
    expect(await tile('kpi-latency').textContent()).toMatch(/^\d+ ms$/);
    // uPlot draws on a canvas once loaded on the client.
    await page.locator('.chart-canvas canvas').first().waitFor();
    expect(await page.locator('.chart-canvas canvas').count()).toBeGreaterThanOrEqual(2);
    const href = await page.getByTestId('kpi-escalation').locator('a').getAttribute('href');
    expect(href).toMatch(/^\/calls\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&outcome=escalated$/);
    await page.screenshot({ path: `${artifacts}dashboard-overview.png`, fullPage: true });
    // A narrow laptop: the charts redraw to the narrower width.
    await page.setViewportSize({ width: 900, height: 900 });
    await page.waitForTimeout(300);
    const width = await page.locator('.chart-canvas canvas').first().evaluate((c) => c.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(900);
    await page.screenshot({ path: `${artifacts}dashboard-overview-narrow.png`, fullPage: true });

    // A version filter with no data: an honest empty state, rates as dashes.
    await page.goto(`${platform.urls.console}/?agentVersion=9.9.9`);
    await page.getByTestId('dashboard-empty').waitFor();
    expect(await tile('kpi-containment').textContent()).toBe('—');

    // A bad date: the message sits beside the field.
    await page.goto(`${platform.urls.console}/?from=2026-02-30`);
    await page.locator('#f-from-err').waitFor();
    expect(await page.locator('#f-from-err').textContent()).toMatch(/YYYY-MM-DD/);

    // Drill down to the calls list.
    await page.goto(`${platform.urls.console}${href}`);
    await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
    expect(await page.locator('#c-outcome').inputValue()).toBe('escalated');
    // The call behind the 20% escalation: exactly the one escalated call.
    await page.getByTestId('ended-calls').waitFor();
    expect(await page.getByTestId('ended-calls').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('ended-calls').textContent()).toContain('dash-e2e-3');
    await page.screenshot({ path: `${artifacts}dashboard-calls-drilldown.png`, fullPage: true });
    await context.close();
  }, 90_000);

  it('the talk page gets a call token and opens the microphone and the socket', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['microphone'] });
    const page = await context.newPage();
    await signIn(page, platform, 'supervisor');
    await page.goto(`${platform.urls.console}/talk`);
    await page.getByRole('heading', { name: 'Talk to agent' }).waitFor();
    await page.waitForLoadState('networkidle');
    const token = page.waitForResponse((r) => r.url().endsWith('/talk/token') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Call the agent' }).click();
    const res = await token;
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { url: string; token: string };
    expect(body.url).toMatch(/^ws:\/\/.+\/v1\/stream$/);
    expect(body.token.length).toBeGreaterThan(10);
    // The fake microphone is granted and the voice runtime accepts the token: the call comes up.
    await page.getByTestId('call-state').filter({ hasText: /In call|Call ended|Call failed/ }).waitFor({ timeout: 15_000 });
    const state = await page.getByTestId('call-state').textContent();
    const message = (await page.getByTestId('call-message').count()) ? await page.getByTestId('call-message').textContent() : '';
    await page.screenshot({ path: `${artifacts}talk-in-call.png`, fullPage: true });
    expect(state, message ?? '').toBe('In call');
    await page.getByRole('button', { name: 'Mute' }).click();
    await page.getByRole('button', { name: 'Unmute' }).waitFor();
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.getByTestId('call-state').filter({ hasText: 'Call ended' }).waitFor();
    expect(await page.getByTestId('call-log').textContent()).toMatch(/connected/);
    await page.screenshot({ path: `${artifacts}talk-ended.png`, fullPage: true });
    await context.close();
  }, 60_000);
});
