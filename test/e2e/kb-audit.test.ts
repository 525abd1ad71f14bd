import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { signInApi, startPlatformProcess, type PlatformProcess } from '../support/platform-process.ts';

/**
 * The knowledge-base audit in the console, end to end: the platform started as `npm start` runs it
 * (embedded PGlite, chDB, local redis-server, demo tenant), caller turns ingested through the API and
 * the worker, then a supervisor in headless Chromium opens the audit, sees the three demo conflicts
 * and the coverage gaps, corrects the odd article out (a new version with its diff), marks articles
 * reviewed, and sees the audit change. Screenshots go to .tmp/e2e/.
 */

const artifacts = new URL('../../.tmp/e2e/', import.meta.url).pathname;

/** Caller questions no demo article answers (shipping to Canada, a mobile app), and one it does. */
const CALLS: string[][] = [
  ['do you ship to canada', 'thank you'],
  ['can I get my order shipped to Canada?'],
  ['do you deliver to canada', 'is there a mobile app'],
  ['do you have an app for my iphone', 'how much is standard shipping?'],
];

async function ingestCallerTurns(platform: PlatformProcess): Promise<void> {
  const cookie = await signInApi(platform.urls.api, platform.credentials.admin!.email, platform.credentials.admin!.password);
  const me = (await (await fetch(`${platform.urls.api}/v1/me`, { headers: { cookie } })).json()) as { user: { tenantId: string } };
  const tenantId = me.user.tenantId;
  const at = new Date(Date.now() - 3_600_000).toISOString();
  for (const [c, texts] of CALLS.entries()) {
    const callId = `kb-audit-e2e-${c}`;
    const turns = texts.map((text, i) => ({ tenant_id: tenantId, call_id: callId, turn_index: i * 2, agent_version: '1.0.0', speaker: 'caller', text_redacted: text, intent: 'unknown', confidence: 0.4, started_at: at, ended_at: at }));
    const res = await fetch(`${platform.urls.api}/v1/analytics/calls`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'idempotency-key': callId },
      body: JSON.stringify({ tenantId, callId, turns, events: [] }),
    });
    expect(res.status).toBe(202);
  }
  for (let i = 0; i < 200; i++) {
    const q = (await (await fetch(`${platform.urls.api}/v1/queues`, { headers: { cookie } })).json()) as { queues: { name: string; completed: number }[] };
    if ((q.queues.find((x) => x.name === 'analytics')?.completed ?? 0) >= CALLS.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the analytics jobs did not complete');
}

/** The sign-in form, filled once the page has hydrated (hydration resets a value typed before it). */
async function fillSignIn(page: Page, platform: PlatformProcess, role: 'supervisor' | 'reviewer' | 'agent'): Promise<void> {
  await page.goto(`${platform.urls.console}/sign-in`);
  await page.waitForLoadState('networkidle');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.fill('input[name=email]', platform.credentials[role]!.email);
    await page.fill('input[name=password]', platform.credentials[role]!.password);
    if ((await page.inputValue('input[name=email]')) === platform.credentials[role]!.email) break;
  }
  await page.click('button[type=submit]');
}

async function signInConsole(page: Page, platform: PlatformProcess, role: 'supervisor' | 'reviewer'): Promise<void> {
  await fillSignIn(page, platform, role);
  try {
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  } catch (err) {
    await page.screenshot({ path: `${artifacts}kb-sign-in-failed-${role}.png`, fullPage: true });
    throw err;
  }
}

/** The number on a summary tile ("3 conflicts", "27 overdue for review"). */
async function tile(page: Page, label: RegExp): Promise<number> {
  const text = await page.getByRole('list', { name: 'Audit summary' }).getByRole('link', { name: label }).innerText();
  return Number(/\d+/.exec(text)?.[0] ?? NaN);
}

describe('knowledge-base audit in the console', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    platform = await startPlatformProcess();
    browser = await launchBrowser();
    await ingestCallerTurns(platform);
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    if (platform) expect(await platform.stop()).toBe(0);
  }, 60_000);

  it('a supervisor sees the conflicts, corrects the odd article out, and marks articles reviewed', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInConsole(page, platform, 'supervisor');

    // The audit, reached from the knowledge-base list.
    await page.goto(`${platform.urls.console}/kb`);
    await page.getByRole('link', { name: 'Open the audit' }).click();
    await page.getByRole('heading', { name: 'Knowledge-base audit' }).waitFor();
    expect(await tile(page, /conflicts/)).toBe(3);
    const staleBefore = await tile(page, /overdue for review/);
    expect(staleBefore).toBeGreaterThan(20);
    expect(await tile(page, /coverage gaps/)).toBe(2);
    const conflicts = page.locator('section[aria-labelledby=conflicts]');
    for (const odd of ['Returns: quick reference', 'Shipping fees at a glance', 'How long promo codes are valid']) {
      await expect(conflicts.locator('.outlier').getByRole('link', { name: odd }).count()).resolves.toBe(1);
    }
    // Both sides of a conflict link to their articles, with the disputed values.
    await expect(conflicts.getByRole('link', { name: 'Return Due to Stain' }).count()).resolves.toBeGreaterThan(0);
    await expect(conflicts.getByText('6 months').count()).resolves.toBeGreaterThan(0);
    const gaps = page.locator('section[aria-labelledby=gaps]');
    await expect(gaps.getByRole('row').nth(1).innerText()).resolves.toMatch(/canada[\s\S]*3/i);
    await expect(page.locator('section[aria-labelledby=cited]').getByText('No judged answers in this period').count()).resolves.toBe(1);
    await page.screenshot({ path: `${artifacts}kb-audit.png`, fullPage: true });
    await page.screenshot({ path: `${artifacts}kb-audit-top.png` });

    // Open the odd one out of the return-window conflict.
    await conflicts.locator('.outlier').getByRole('link', { name: 'Returns: quick reference' }).click();
    await page.getByRole('heading', { name: 'Returns: quick reference', level: 1 }).waitFor();
    await expect(page.getByRole('heading', { name: /Conflicts with other articles · 3/ }).count()).resolves.toBe(1);
    await page.screenshot({ path: `${artifacts}kb-article.png`, fullPage: true });
    await page.screenshot({ path: `${artifacts}kb-article-top.png` });

    // Empty title: refused beside the field, the body typed so far kept.
    const body = page.getByLabel(/^Body/);
    const original = await body.inputValue();
    const corrected = original.replace('**90 days**', '**6 months**').replace('**60 days**', '**90 days**').replace('**14 days**', '**30 days**');
    expect(corrected).not.toBe(original);
    await page.getByLabel('Title').fill('   ');
    await body.fill(corrected);
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText('Enter a title.').waitFor();
    expect(await body.inputValue()).toBe(corrected);

    // Save: version 2 appears in the history with its diff, and the conflict is gone.
    await page.getByLabel('Title').fill('Returns: quick reference');
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    expect(await body.inputValue()).toBe(corrected);
    const history = page.locator('section[aria-labelledby=history]');
    await expect(history.getByRole('row').count()).resolves.toBe(3);
    await expect(history.getByRole('row').nth(1).innerText()).resolves.toMatch(/^2\s*Current/);
    await page.getByRole('heading', { name: 'Changes in version 2' }).waitFor();
    await expect(page.locator('section[aria-labelledby=changes]').getByText('3 added').count()).resolves.toBe(1);
    await expect(page.getByText('No other article states a different value').count()).resolves.toBe(1);

    // Mark reviewed: the review date becomes today.
    await page.getByRole('button', { name: 'Mark reviewed' }).click();
    await page.getByText(/^Marked reviewed/).waitFor();
    const today = new Date().toISOString().slice(0, 10);
    await expect(page.locator('.facts div', { hasText: 'Last reviewed' }).locator('time').innerText()).resolves.toBe(today);
    expect(await body.inputValue()).toBe(corrected);
    await page.screenshot({ path: `${artifacts}kb-article-edited.png`, fullPage: true });

    // Back on the audit: two conflicts left; marking a stale article reviewed takes it off the list.
    await page.goto(`${platform.urls.console}/kb/audit`);
    expect(await tile(page, /conflicts/)).toBe(2);
    const firstStale = page.locator('section[aria-labelledby=stale] tbody tr').first().getByRole('link');
    const staleTitle = await firstStale.innerText();
    await firstStale.click();
    await page.getByRole('heading', { name: staleTitle, level: 1 }).waitFor();
    await expect(page.getByText('Review overdue').count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Mark reviewed' }).click();
    await page.getByText(/^Marked reviewed/).waitFor();
    await expect(page.getByText('Up to date').count()).resolves.toBe(1);
    await page.goto(`${platform.urls.console}/kb/audit`);
    expect(await tile(page, /overdue for review/)).toBe(staleBefore - 1);
    await page.screenshot({ path: `${artifacts}kb-audit-after.png`, fullPage: true });

    // A date range with the start after the end is explained beside the field.
    await page.getByLabel('From').fill('2026-12-31');
    await page.getByLabel('To').fill('2026-01-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('The start date must be on or before the end date.').waitFor();
    await context.close();
  }, 120_000);

  it('a reviewer reads the audit but gets no edit form, and an agent cannot open it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInConsole(page, platform, 'reviewer');
    await page.goto(`${platform.urls.console}/kb/audit`);
    await page.getByRole('heading', { name: 'Knowledge-base audit' }).waitFor();
    await page.locator('section[aria-labelledby=conflicts] .outlier a').first().click();
    await page.getByRole('heading', { name: 'Version history' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save new version' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark reviewed' }).count()).toBe(0);
    await context.close();

    const agentContext = await browser.newContext();
    const agent = await agentContext.newPage();
    await fillSignIn(agent, platform, 'agent');
    await agent.getByRole('heading', { name: 'Overview' }).waitFor();
    const res = await agent.goto(`${platform.urls.console}/kb/audit`);
    expect(res?.status()).toBe(403);
    await agentContext.close();
  }, 60_000);
});
