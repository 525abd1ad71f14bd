import { beforeAll, expect, it } from 'vitest';
import type { ScoreRow, TurnRow } from '@cc/core';
import { migrateAnalytics } from '@cc/store/clickhouse';
import { createKbArticle } from '@cc/store/postgres';
// @cc/seed and @cc/knowledge are not dependencies of @cc/test: imported by path.
import { buildKbArticles, DEMO_CONFLICT_ARTICLES, type KbArticle } from '@cc/seed';
import { reviewCutoff } from '@cc/knowledge';
import { describeApi, expectProblem, json, uuid, type ApiTestEnv, type As } from './api-fixture.ts';

const supervisor: As = { role: 'supervisor' };
const DAY = 86_400_000;

interface Seeded {
  ids: Map<string, string>;
  kb: KbArticle[];
}

/** The demo KB (58 articles, 3 deliberately conflicting) in tenant A, owned by the supervisor. */
async function seedDemoKb(env: ApiTestEnv): Promise<Seeded> {
  const kb = buildKbArticles({ asOf: new Date(Date.now() - 3_600_000) });
  const ids = new Map<string, string>();
  for (const a of kb) {
    const owner = env.a.users[a.ownerRole === 'admin' ? 'admin' : 'supervisor'].user.id;
    const created = await createKbArticle(env.db, env.a.tenant.id, {
      slug: a.slug,
      title: a.title,
      topic: a.topic,
      body: a.body,
      status: a.status,
      lastReviewedAt: a.lastReviewedAt,
      metadata: a.metadata,
      ownerUserId: owner,
      editedBy: owner,
    });
    ids.set(a.slug, created.id);
  }
  return { ids, kb };
}

function turn(tenantId: string, callId: string, turnIndex: number, text: string, at: Date, speaker: TurnRow['speaker'] = 'caller'): TurnRow {
  return { tenant_id: tenantId, call_id: callId, turn_index: turnIndex, agent_version: '1.0.0', speaker, text_redacted: text, intent: speaker === 'caller' ? 'unknown' : '', confidence: 0.5, started_at: at, ended_at: at };
}

function hallucination(tenantId: string, callId: string, supported: boolean, cited: Array<{ articleId: string; slug: string }>, at: Date): ScoreRow {
  return {
    tenant_id: tenantId,
    call_id: callId,
    turn_index: 1,
    agent_version: '1.0.0',
    run_id: 'live',
    metric: 'hallucination',
    value: supported ? 0 : 1,
    evaluator_version: 'grounding-v1',
    details: JSON.stringify({ supported, score: supported ? 0.8 : 0.15, scorer: 'grounding-v1', citations: cited.map((c) => ({ ...c, version: 1 })) }),
    scored_at: at,
  };
}

const pairKey = (p: { a: { slug: string }; b: { slug: string } }) => [p.a.slug, p.b.slug].sort().join(' <> ');

describeApi('kb audit', (env) => {
  let seeded: Seeded;
  const inRange = new Date(Date.now() - 2 * DAY);
  const from = new Date(Date.now() - 7 * DAY).toISOString();
  const to = new Date(Date.now() + DAY).toISOString();

  beforeAll(async () => {
    await migrateAnalytics(env().analytics);
    seeded = await seedDemoKb(env());
    const a = env().a.tenant.id;
    const t = (i: number) => new Date(inRange.getTime() + i * 1000);
    await env().analytics.insert('turns', [
      // Four caller questions about shipping to Canada (three calls), two about an app: not in the KB.
      turn(a, 'call-1', 0, 'do you ship to canada', t(1)),
      turn(a, 'call-1', 2, 'so can you ship it to Canada?', t(2)),
      turn(a, 'call-2', 0, 'do you deliver to canada', t(3)),
      turn(a, 'call-3', 0, 'can I get my order shipped to canada', t(4)),
      turn(a, 'call-4', 0, 'do you have an app for my iphone', t(5)),
      turn(a, 'call-5', 0, 'is there a mobile app', t(6)),
      // Answered by the KB, or not questions at all.
      turn(a, 'call-6', 0, 'how much is standard shipping?', t(7)),
      turn(a, 'call-6', 2, 'I want to change my address', t(8)),
      turn(a, 'call-6', 4, 'thank you', t(9)),
      // Not the caller, or outside the range: not read.
      turn(a, 'call-6', 1, 'do you want me to ship it to canada?', t(10), 'agent'),
      turn(a, 'call-old', 0, 'do you sell bicycles', new Date(Date.now() - 60 * DAY)),
    ]);
    await env().analytics.insert('turns', [turn(env().b.tenant.id, 'call-b', 0, 'do you sell bicycles', t(1))]);
    const fees = { articleId: seeded.ids.get('shipping-fees-at-a-glance')!, slug: 'shipping-fees-at-a-glance' };
    const promo = { articleId: seeded.ids.get('promo-code-validity')!, slug: 'promo-code-validity' };
    const cost = { articleId: seeded.ids.get('shipping-issue-cost')!, slug: 'shipping-issue-cost' };
    await env().analytics.insert('scores', [
      hallucination(a, 'call-10', false, [fees], t(1)),
      hallucination(a, 'call-11', false, [fees, cost], t(2)),
      hallucination(a, 'call-12', false, [fees], t(3)),
      hallucination(a, 'call-13', true, [fees], t(4)),
      hallucination(a, 'call-14', true, [cost], t(5)),
      hallucination(a, 'call-15', false, [promo], t(6)),
      hallucination(a, 'call-16', false, [], t(7)),
    ]);
  });

  it('finds the three demo conflicts (7 article pairs) from the content alone, with both claims', async () => {
    const report = await json(await env().call(`/v1/kb/audit?from=${from}&to=${to}`, { as: supervisor }));
    expect(report.articles).toBe(58);
    const truth = new Set(seeded.kb.flatMap((a) => (a.metadata.conflict?.conflictsWith ?? []).map((o) => [a.slug, o].sort().join(' <> '))));
    expect(new Set(report.conflicts.pairs.map(pairKey))).toEqual(truth);
    expect(report.conflicts.groups.map((g: any) => g.outlier.slug).sort()).toEqual(DEMO_CONFLICT_ARTICLES.map((d) => d.slug).sort());
    const returns = report.conflicts.pairs.find((p: any) => pairKey(p) === 'product-defect-return-stain <> returns-quick-reference');
    expect(returns.a.id).toBe(seeded.ids.get(returns.a.slug));
    const silver = returns.findings.find((f: any) => f.qualifiers.includes('silver'));
    expect([silver.a.display, silver.b.display].sort()).toEqual(['6 months', '90 days']);
    const body = seeded.kb.find((a) => a.slug === silver.a.slug)!.body;
    expect(body.slice(silver.a.valueStart, silver.a.valueEnd).replace(/\*/g, '')).toBe(silver.a.display);
  });

  it('lists stale articles (not reviewed in over 12 months) with their owner, oldest first', async () => {
    const report = await json(await env().call('/v1/kb/audit?sections=stale', { as: supervisor }));
    const cutoff = reviewCutoff(new Date(), 12).getTime();
    const expected = seeded.kb.filter((a) => Date.parse(a.lastReviewedAt) < cutoff).map((a) => a.slug);
    expect(expected.length).toBeGreaterThan(20);
    expect(report.stale.items.map((i: any) => i.slug).sort()).toEqual(expected.sort());
    const days = report.stale.items.map((i: any) => i.daysSinceReview);
    expect(days).toEqual([...days].sort((x, y) => y - x));
    expect(report.stale.items[0].ownerName).toMatch(/of tenant-a/);
    expect(report.conflicts).toBeUndefined();
    expect(report.gaps).toBeUndefined();
  });

  it('ranks coverage gaps from caller turns of the range by frequency, with examples', async () => {
    const report = await json(await env().call(`/v1/kb/audit?sections=gaps&from=${from}&to=${to}`, { as: { role: 'reviewer' } }));
    expect(report.gaps).toMatchObject({ utterances: 9, questions: 8, answered: 2, unanswered: 6, truncated: false });
    const [canada, app] = report.gaps.clusters;
    expect(canada).toMatchObject({ count: 4, calls: 3 });
    expect(canada.label).toMatch(/canada/);
    expect(canada.examples.length).toBe(3);
    expect(app).toMatchObject({ count: 2, calls: 2 });
    expect(app.label).toMatch(/app/);
    // Turns outside the range, of agents, and of tenant B are not read.
    expect(JSON.stringify(report.gaps)).not.toMatch(/bicycle|want me to/);
  });

  it('ranks the articles most cited by unsupported answers', async () => {
    const report = await json(await env().call(`/v1/kb/audit?sections=mostCited&from=${from}&to=${to}`, { as: supervisor }));
    expect(report.mostCited).toMatchObject({ scored: 7, unsupported: 5, unsupportedWithoutCitations: 1, invalidDetails: 0 });
    expect(report.mostCited.items.map((i: any) => [i.slug, i.unsupported, i.cited])).toEqual([
      ['shipping-fees-at-a-glance', 3, 4],
      ['promo-code-validity', 1, 1],
      ['shipping-issue-cost', 1, 2],
    ]);
  });

  it('narrows to one article', async () => {
    const id = seeded.ids.get('promo-code-validity')!;
    const report = await json(await env().call(`/v1/kb/audit?articleId=${id}&sections=conflicts,mostCited&from=${from}&to=${to}`, { as: supervisor }));
    expect(report.conflicts.pairs.map(pairKey).sort()).toEqual(['promo-code-validity <> purchase-dispute-promo-code-invalid', 'promo-code-validity <> purchase-dispute-promo-code-out-of-date']);
    expect(report.mostCited.items.map((i: any) => i.slug)).toEqual(['promo-code-validity']);
    await expectProblem(await env().call(`/v1/kb/audit?articleId=${uuid()}`, { as: supervisor }), 404);
  });

  it('edit → new version with a diff, the conflict goes away, mark reviewed → no longer stale', async () => {
    const id = seeded.ids.get('returns-quick-reference')!;
    const article = await json(await env().call(`/v1/kb/articles/${id}`, { as: supervisor }));
    const fixedBody = article.body.replace('**90 days**', '**6 months**').replace('**60 days**', '**90 days**').replace('**14 days**', '**30 days**');
    const edited = await json(await env().call(`/v1/kb/articles/${id}`, { method: 'PATCH', as: supervisor, json: { body: fixedBody } }));
    expect(edited.currentVersion).toBe(2);
    const diff = await json(await env().call(`/v1/kb/articles/${id}/diff`, { as: { role: 'agent' } }));
    expect(diff).toMatchObject({ from: { version: 1 }, to: { version: 2 }, titleChanged: false, diff: { added: 3, removed: 3, coarse: false } });
    expect(diff.diff.lines.filter((l: any) => l.op === 'add').map((l: any) => l.text)).toContain('- **Silver:** returns accepted within **6 months** of purchase.');
    const same = await json(await env().call(`/v1/kb/articles/${id}/diff?from=2&to=2`, { as: supervisor }));
    expect(same.diff).toMatchObject({ added: 0, removed: 0 });

    const after = await json(await env().call(`/v1/kb/audit?sections=conflicts`, { as: supervisor }));
    expect(after.conflicts.pairs.map(pairKey).filter((k: string) => k.includes('returns-quick-reference'))).toEqual([]);
    expect(after.conflicts.groups).toHaveLength(2);

    const stale = seeded.kb.find((a) => Date.parse(a.lastReviewedAt) < reviewCutoff(new Date(), 12).getTime())!;
    const staleId = seeded.ids.get(stale.slug)!;
    await json(await env().call(`/v1/kb/articles/${staleId}/reviewed`, { method: 'POST', as: supervisor }));
    const audit = await json(await env().call('/v1/kb/audit?sections=stale', { as: supervisor }));
    expect(audit.stale.items.map((i: any) => i.id)).not.toContain(staleId);
  });

  it('refuses bad parameters with messages beside the field, and other roles and tenants', async () => {
    const bad = await expectProblem(await env().call(`/v1/kb/audit?from=${to}&to=${from}`, { as: supervisor }), 400);
    expect(bad.errors).toEqual([expect.objectContaining({ path: 'from', message: 'must be before `to`' })]);
    const notDate = await expectProblem(await env().call('/v1/kb/audit?from=yesterday', { as: supervisor }), 400);
    expect(notDate.errors![0]!.path).toBe('from');
    const tooLong = await expectProblem(await env().call('/v1/kb/audit?from=2020-01-01&to=2026-01-01', { as: supervisor }), 400);
    expect(tooLong.errors![0]!.message).toMatch(/at most 400 days/);
    const section = await expectProblem(await env().call('/v1/kb/audit?sections=stale,everything', { as: supervisor }), 400);
    expect(section.errors![0]!.path).toMatch(/^sections/);
    const id = seeded.ids.get('promo-code-validity')!;
    await expectProblem(await env().call(`/v1/kb/articles/${id}/diff?from=3&to=1`, { as: supervisor }), 400);
    await expectProblem(await env().call(`/v1/kb/articles/${id}/diff?to=9`, { as: supervisor }), 404);

    await expectProblem(await env().call('/v1/kb/audit', { as: { role: 'agent' } }), 403);
    const b = await json(await env().call(`/v1/kb/audit?from=${from}&to=${to}`, { as: { tenant: 'b', role: 'admin' } }));
    expect(b).toMatchObject({ articles: 0, conflicts: { pairs: [] }, stale: { items: [] }, mostCited: { scored: 0 } });
    expect(b.gaps.utterances).toBe(1);
    await expectProblem(await env().call(`/v1/kb/articles/${id}/diff`, { as: { tenant: 'b', role: 'admin' } }), 404);
    await expectProblem(await env().call(`/v1/kb/audit?articleId=${id}`, { as: { tenant: 'b', role: 'admin' } }), 404);
  });

  it('still answers stale and conflicts when ClickHouse cannot be read, saying which sections failed', async () => {
    const analytics = env().analytics;
    const query = analytics.query.bind(analytics);
    analytics.query = () => Promise.reject(new Error('connection refused'));
    try {
      const report = await json(await env().call('/v1/kb/audit', { as: supervisor }));
      expect(report.gaps).toEqual({ error: 'Could not read caller turns from ClickHouse: connection refused' });
      expect(report.mostCited).toEqual({ error: 'Could not read hallucination scores from ClickHouse: connection refused' });
      expect(report.conflicts.pairs.length).toBeGreaterThan(0);
      expect(report.stale.items.length).toBeGreaterThan(0);
    } finally {
      analytics.query = query;
    }
  });
});
