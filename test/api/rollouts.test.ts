import { beforeAll, describe, expect, it } from 'vitest';
import type { CallEventRow, ScoreRow, StageLatencyRow } from '@cc/core';
import { ConsoleNotification, checkRollouts, notificationChannel, quantileInterval, sequentialStateKey } from '@cc/rollouts';
import { migrateAnalytics } from '@cc/store/clickhouse';
import { createAgentVersion, publishAgentVersion, type AgentVersion } from '@cc/store/postgres';
import { describeApi, expectProblem, json, sqlRows, uuid, type ApiTestEnv, type As } from './api-fixture.ts';

interface AuditItem {
  actorType: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, any>;
}

const supervisor: As = { role: 'supervisor' };
const auditCount = async (env: ApiTestEnv) => (await sqlRows<{ n: number }>(env.db, 'select count(*)::int as n from audit_log'))[0]!.n;
const auditOf = async (env: ApiTestEnv, rolloutId: string) =>
  (await json<{ items: AuditItem[] }>(await env.call(`/v1/audit?entityType=rollout&entityId=${rolloutId}`, { as: { role: 'admin' } }))).items;

async function publishedVersion(env: ApiTestEnv, agentName: string, version: string, publish = true): Promise<AgentVersion> {
  const v = await createAgentVersion(env.db, env.a.tenant.id, { agentName, version, changelog: `${agentName} ${version}` });
  return publish ? publishAgentVersion(env.db, env.a.tenant.id, v.id) : v;
}

/** Two published versions (and a draft) of a fresh agent. */
async function agent(env: ApiTestEnv, name: string) {
  return {
    name,
    v1: await publishedVersion(env, name, '1.0.0'),
    v2: await publishedVersion(env, name, '1.1.0'),
    draft: await publishedVersion(env, name, '1.2.0-draft', false),
  };
}

const createBody = (a: { name: string; v1: AgentVersion; v2: AgentVersion }, extra: Record<string, unknown> = {}) => ({
  name: `${a.name} 1.1`,
  baselineVersionId: a.v1.id,
  candidateVersionId: a.v2.id,
  environment: 'dev',
  ...extra,
});

// ─── synthetic analytics rows ────────────────────────────────────────────────────────────────────

interface Synthetic {
  events: CallEventRow[];
  scores: ScoreRow[];
  latency: StageLatencyRow[];
}

const empty = (): Synthetic => ({ events: [], scores: [], latency: [] });

function ended(s: Synthetic, tenantId: string, version: string, outcome: string, count: number, at: Date, cost?: (i: number) => number) {
  for (let i = 0; i < count; i++) {
    const payload: Record<string, unknown> = { outcome };
    if (cost) payload.cost_usd = cost(i);
    s.events.push({ tenant_id: tenantId, call_id: `${version}-${outcome}-${uuid()}`, seq: 7, agent_version: version, event_type: 'call_ended', at, payload: JSON.stringify(payload) });
  }
}

function scored(s: Synthetic, tenantId: string, version: string, metric: string, positives: number, total: number, at: Date) {
  for (let i = 0; i < total; i++) {
    s.scores.push({ tenant_id: tenantId, call_id: `${version}-score-${uuid()}`, turn_index: 1, agent_version: version, run_id: 'live', metric, value: i < positives ? 1 : 0, evaluator_version: 'v1', details: '{}', scored_at: at });
  }
}

/** One turn per latency, split over two stages (the metric sums a turn's stages). */
function timed(s: Synthetic, tenantId: string, version: string, latencies: number[], at: Date) {
  latencies.forEach((ms, i) => {
    const call_id = `${version}-turn-${uuid()}`;
    s.latency.push({ tenant_id: tenantId, call_id, turn_index: i, agent_version: version, stage: 'asr', started_at: at, duration_ms: ms * 0.25 });
    s.latency.push({ tenant_id: tenantId, call_id, turn_index: i, agent_version: version, stage: 'llm', started_at: at, duration_ms: ms * 0.75 });
  });
}

async function ingest(env: ApiTestEnv, s: Synthetic) {
  if (s.events.length) await env.analytics.insert('call_events', s.events);
  if (s.scores.length) await env.analytics.insert('scores', s.scores);
  if (s.latency.length) await env.analytics.insert('stage_latency', s.latency);
}

const after = (iso: string, ms = 5) => new Date(Date.parse(iso) + ms);

describeApi('rollouts', (env, driver) => {
  beforeAll(async () => {
    await migrateAnalytics(env().analytics);
  });

  describe('create, read, list', () => {
    it('creates a rollout in shadow between two published versions, audited in the same transaction', async () => {
      const a = await agent(env(), 'billing');
      const before = await auditCount(env());
      const requestId = `req-${uuid()}`;
      const created = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a, { guardrails: { maxHallucinationRate: 0.05 } }), headers: { 'x-request-id': requestId } }), 201);
      expect(created).toMatchObject({ stage: 'shadow', status: 'active', splitPercent: 0, environment: 'dev', routing: { control: 100, candidate: 0, shadow: true } });
      expect(created.guardrails).toEqual({ maxHallucinationRate: 0.05, alpha: 0.05, mixtureTau: 0.05, minSamples: 100 });
      expect(await auditCount(env())).toBe(before + 1);
      const [entry] = await auditOf(env(), created.id);
      expect(entry).toMatchObject({ actorType: 'user', actorId: env().a.users.supervisor.user.id, action: 'rollout.created', entityId: created.id, details: expect.objectContaining({ requestId }) });

      for (const role of ['admin', 'supervisor', 'reviewer', 'agent'] as const) {
        const list = await json<{ items: any[] }>(await env().call('/v1/rollouts?environment=dev&agentName=billing', { as: { role } }));
        expect(list.items.map((r) => r.id)).toContain(created.id);
        expect(list.items.find((r) => r.id === created.id)).toMatchObject({ agentName: 'billing' });
      }
      const report = await json(await env().call(`/v1/rollouts/${created.id}`, { as: { role: 'agent' } }));
      expect(report.rollout).toMatchObject({ id: created.id, agentName: 'billing' });
      expect(report.versions).toEqual({ control: { id: a.v1.id, label: 'billing@1.0.0' }, candidate: { id: a.v2.id, label: 'billing@1.1.0' } });
      expect(report.metrics.candidate.calls).toBe(0);
      expect(report.verdicts.map((v: any) => v.decision)).toEqual(Array(5).fill('insufficient_data'));
      expect(report.guardrails.checks).toMatchObject([{ guardrail: 'hallucination_rate', status: 'insufficient_data' }]);
    });

    it('starts at canary_5 when asked, by stage or by a split that sums to 100', async () => {
      const a = await agent(env(), 'canary-start');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a, { split: { control: 95, candidate: 5 } }) }), 201);
      expect(r).toMatchObject({ stage: 'canary_5', splitPercent: 5, routing: { control: 95, candidate: 5, shadow: false } });
    });

    it('tenant B cannot see or change tenant A rollouts', async () => {
      const a = await agent(env(), 'isolated');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a) }), 201);
      const asB: As = { tenant: 'b', role: 'admin' };
      await expectProblem(await env().call(`/v1/rollouts/${r.id}`, { as: asB }), 404);
      await expectProblem(await env().call(`/v1/rollouts/${r.id}/rollback`, { as: asB, json: { reason: 'cross-tenant' } }), 404);
      expect((await json(await env().call('/v1/rollouts', { as: asB }))).items).toEqual([]);
      // B cannot roll out A's versions either.
      await expectProblem(await env().call('/v1/rollouts', { as: asB, json: createBody(a) }), 404);
    });
  });

  describe('bad input is refused with a clear message and changes nothing', () => {
    let a: Awaited<ReturnType<typeof agent>>;
    let other: Awaited<ReturnType<typeof agent>>;
    beforeAll(async () => {
      a = await agent(env(), 'bad-input');
      other = await agent(env(), 'other-agent');
    });

    async function refused(body: unknown, status: number, message: RegExp, path?: string) {
      const before = await auditCount(env());
      const p = await expectProblem(await env().call('/v1/rollouts', { as: supervisor, json: body }), status);
      const text = `${p.detail} ${JSON.stringify(p.errors ?? [])}`;
      expect(text).toMatch(message);
      if (path) expect(p.errors?.map((e) => e.path)).toContain(path);
      expect(await auditCount(env())).toBe(before);
    }

    it('splits: not summing to 100, out of range, not a stage, or starting past canary', async () => {
      await refused(createBody(a, { split: { control: 90, candidate: 5 } }), 400, /must sum to 100, got 90 \+ 5 = 95/, 'split');
      await refused(createBody(a, { split: { control: -5, candidate: 105 } }), 400, /between 0 and 100/, 'split.candidate');
      await refused(createBody(a, { split: { control: 90, candidate: 10 } }), 400, /no stage routes 90\/10.*canary_5 95\/5/, 'split');
      await refused(createBody(a, { split: { control: 50, candidate: 50 } }), 400, /starts in shadow or canary_5/, 'split');
      await refused(createBody(a, { stage: 'full' }), 400, /starts in shadow or canary_5/, 'stage');
      await refused(createBody(a, { stage: 'shadow', split: { control: 95, candidate: 5 } }), 400, /stage shadow routes 100\/0, not 95\/5/);
      await refused(createBody(a, { guardrails: { maxHallucinationRate: 5 } }), 400, /maxHallucinationRate/);
    });

    it('versions: missing, not published, the same, or of different agents', async () => {
      const missing = uuid();
      await refused(createBody(a, { candidateVersionId: missing }), 404, new RegExp(`agent version ${missing} not found`));
      await refused(createBody(a, { candidateVersionId: a.draft.id }), 400, /bad-input@1\.2\.0-draft is draft; only published .* publish it first/, 'candidateVersionId');
      await refused(createBody(a, { candidateVersionId: a.v1.id }), 400, /must differ from the baseline/);
      await refused(createBody(a, { candidateVersionId: other.v2.id }), 400, /another agent/);
      await refused(createBody(a, { candidateVersionId: 'not-a-uuid' }), 400, /candidateVersionId/);
    });

    it('two live rollouts on the same traffic; an environment before its predecessor', async () => {
      const first = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a) }), 201);
      await refused(createBody(a, { name: 'second' }), 409, new RegExp(`"bad-input 1.1" \\(${first.id}\\) is already active on bad-input in dev`));
      // Paused still owns the traffic.
      await json(await env().call(`/v1/rollouts/${first.id}/pause`, { as: supervisor, json: {} }));
      await refused(createBody(a, { name: 'second' }), 409, /already paused on bad-input in dev/);
      // Another environment is other traffic — but staging needs a completed dev rollout first.
      await refused(createBody(a, { environment: 'staging' }), 409, /has not completed a rollout in dev/);
      // Once rolled back, the traffic is free again.
      await json(await env().call(`/v1/rollouts/${first.id}/rollback`, { as: supervisor, json: { reason: 'making room' } }));
      await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a, { name: 'second' }) }), 201);
    });
  });

  describe('the state machine through the API', () => {
    it('advances stage by stage, pauses, resumes, completes and promotes to the next environment — each change audited', async () => {
      const a = await agent(env(), 'journey');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a) }), 201);
      const act = (action: string, body: unknown = {}) => env().call(`/v1/rollouts/${r.id}/${action}`, { as: supervisor, json: body });

      expect(await json(await act('advance', { expectedStage: 'shadow' }))).toMatchObject({ stage: 'canary_5', splitPercent: 5, routing: { candidate: 5 } });
      // Two clicks on "advance" from the same screen: the second is refused, not applied twice.
      const stale = await expectProblem(await act('advance', { expectedStage: 'shadow' }), 409);
      expect(stale.detail).toMatch(/is at canary_5 \(active\), not shadow as expected/);
      expect((await expectProblem(await act('advance', {}), 400)).errors).toMatchObject([{ path: 'expectedStage' }]);

      expect(await json(await act('pause'))).toMatchObject({ status: 'paused', stage: 'canary_5', routing: { candidate: 5 } });
      expect((await expectProblem(await act('advance', { expectedStage: 'canary_5' }), 409)).detail).toMatch(/paused; resume it first/);
      expect((await expectProblem(await act('complete'), 409)).detail).toMatch(/paused/);
      await json(await act('resume'));
      for (const [from, to] of [['canary_5', 'pct_25'], ['pct_25', 'pct_50'], ['pct_50', 'full']]) {
        expect(await json(await act('advance', { expectedStage: from }))).toMatchObject({ stage: to, status: 'active' });
      }
      expect((await expectProblem(await act('advance', { expectedStage: 'full' }), 409)).detail).toMatch(/already at full/);
      expect((await expectProblem(await act('promote'), 409)).detail).toMatch(/only a completed rollout can be promoted/);
      expect(await json(await act('complete'))).toMatchObject({ status: 'completed', routing: { candidate: 100 } });
      expect((await expectProblem(await act('rollback', { reason: 'too late' }), 409)).detail).toMatch(/completed \(terminal\)/);

      const staging = await json(await act('promote'), 201);
      expect(staging).toMatchObject({ environment: 'staging', stage: 'shadow', status: 'active', baselineVersionId: a.v1.id, candidateVersionId: a.v2.id, promotedFrom: r.id });

      const actions = (await auditOf(env(), r.id)).map((e) => e.action).reverse();
      expect(actions).toEqual(['rollout.created', 'rollout.advanced', 'rollout.paused', 'rollout.resumed', 'rollout.advanced', 'rollout.advanced', 'rollout.advanced', 'rollout.completed']);
      const [advanced] = (await auditOf(env(), r.id)).filter((e) => e.action === 'rollout.advanced');
      expect(advanced!.details).toMatchObject({ from: { stage: 'pct_50', splitPercent: 50 }, to: { stage: 'full', splitPercent: 100 } });
      expect((await auditOf(env(), staging.id)).map((e) => e.action)).toEqual(['rollout.promoted']);
    });

    it('rollback needs a reason, sends every call to control and is terminal', async () => {
      const a = await agent(env(), 'rollback');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a, { stage: 'canary_5' }) }), 201);
      expect((await expectProblem(await env().call(`/v1/rollouts/${r.id}/rollback`, { as: supervisor, json: {} }), 400)).errors).toMatchObject([{ path: 'reason' }]);
      const done = await json(await env().call(`/v1/rollouts/${r.id}/rollback`, { as: { role: 'admin' }, json: { reason: 'callers confused by new greeting', expectedStage: 'canary_5' } }));
      expect(done).toMatchObject({ status: 'rolled_back', splitPercent: 0, stage: 'canary_5', routing: { control: 100, candidate: 0 } });
      const [entry] = await auditOf(env(), r.id);
      expect(entry).toMatchObject({ action: 'rollout.rolled_back', actorType: 'user', details: expect.objectContaining({ reason: 'callers confused by new greeting' }) });
      await expectProblem(await env().call(`/v1/rollouts/${r.id}/resume`, { as: supervisor, json: {} }), 409);
    });

    it('a rollback based on a stale view of a stage change is refused (optimistic check)', async () => {
      const a = await agent(env(), 'stale-view');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a) }), 201);
      await json(await env().call(`/v1/rollouts/${r.id}/advance`, { as: { role: 'admin' }, json: { expectedStage: 'shadow' } }));
      const p = await expectProblem(await env().call(`/v1/rollouts/${r.id}/rollback`, { as: supervisor, json: { reason: 'shadow looked bad', expectedStage: 'shadow' } }), 409);
      expect(p.detail).toMatch(/is at canary_5 \(active\), not shadow as expected: it changed since you looked; nothing was done/);
      expect((await json(await env().call(`/v1/rollouts/${r.id}`, { as: supervisor }))).rollout).toMatchObject({ status: 'active', stage: 'canary_5' });
    });

    it.skipIf(driver === 'pglite')('a rollback while a stage change holds the row is refused, not queued (row lock, NOWAIT)', async () => {
      const a = await agent(env(), 'locked');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a) }), 201);
      // A stage change in flight: another transaction holds the rollout's row lock.
      await env().db.transaction(async (tx) => {
        await tx.execute(`select id from rollouts where id = '${r.id}' for update`);
        const p = await expectProblem(await env().call(`/v1/rollouts/${r.id}/rollback`, { as: supervisor, json: { reason: 'during a stage change' } }), 409);
        expect(p.detail).toMatch(/being changed by another request right now .* nothing was done/);
        await tx.execute(`update rollouts set stage = 'canary_5', split_percent = 5 where id = '${r.id}'`);
      });
      expect((await json(await env().call(`/v1/rollouts/${r.id}`, { as: supervisor }))).rollout).toMatchObject({ status: 'active', stage: 'canary_5' });
      expect((await auditOf(env(), r.id)).map((e) => e.action)).toEqual(['rollout.created']);

      // Racing an advance and a rollback: each either applies (audited) or is refused with 409; never both half-way.
      const race = await Promise.all([
        env().call(`/v1/rollouts/${r.id}/advance`, { as: supervisor, json: { expectedStage: 'canary_5' } }),
        env().call(`/v1/rollouts/${r.id}/rollback`, { as: { role: 'admin' }, json: { reason: 'race' } }),
      ]);
      const statuses = race.map((x) => x.status);
      for (const s of statuses) expect([200, 409]).toContain(s);
      const applied = statuses.filter((s) => s === 200).length;
      expect(applied).toBeGreaterThanOrEqual(1);
      expect((await auditOf(env(), r.id)).length).toBe(1 + applied);
    });
  });

  describe('metrics, intervals and the sequential verdict', () => {
    it('reads per-version metrics from ClickHouse, scoped to the rollout window and its two versions', async () => {
      const a = await agent(env(), 'metrics');
      const r = await json(await env().call('/v1/rollouts', { as: supervisor, json: createBody(a, { guardrails: { maxP95LatencyMs: 2000 } }) }), 201);
      const tenantId = env().a.tenant.id;
      const at = after(r.createdAt);
      const s = empty();
      const cost = (i: number) => 0.05 + (i % 3) * 0.05;
      ended(s, tenantId, a.v1.id, 'contained', 80, at, cost);
      ended(s, tenantId, a.v1.id, 'escalated', 30, at, cost);
      ended(s, tenantId, a.v1.id, 'abandoned', 10, at, cost);
      ended(s, tenantId, a.v2.id, 'contained', 85, at);
      ended(s, tenantId, a.v2.id, 'escalated', 20, at);
      ended(s, tenantId, a.v2.id, 'abandoned', 5, at);
      ended(s, tenantId, a.v2.id, 'failed', 4, at); // not in the denominator
      ended(s, tenantId, a.v2.id, 'escalated', 50, new Date(Date.parse(r.createdAt) - 3_600_000)); // before the rollout
      ended(s, tenantId, a.draft.id, 'escalated', 50, at); // another version
      ended(s, env().b.tenant.id, a.v2.id, 'escalated', 50, at); // another tenant
      scored(s, tenantId, a.v1.id, 'intent_correct', 80, 100, at);
      scored(s, tenantId, a.v2.id, 'intent_correct', 90, 100, at);
      scored(s, tenantId, a.v1.id, 'hallucination', 3, 100, at);
      scored(s, tenantId, a.v2.id, 'hallucination', 2, 100, at);
      const controlLatency = Array.from({ length: 150 }, (_, i) => 300 + i * 7);
      const candidateLatency = Array.from({ length: 150 }, (_, i) => 250 + ((i * 37) % 150) * 9);
      timed(s, tenantId, a.v1.id, controlLatency, at);
      timed(s, tenantId, a.v2.id, candidateLatency, at);
      await ingest(env(), s);

      const report = await json(await env().call(`/v1/rollouts/${r.id}`, { as: { role: 'reviewer' } }));
      const { control, candidate } = report.metrics;
      expect(control).toMatchObject({ versionId: a.v1.id, calls: 120, containment: { successes: 80, n: 120 }, escalation: { successes: 30 }, abandonment: { successes: 10 } });
      expect(candidate).toMatchObject({ versionId: a.v2.id, calls: 110, containment: { successes: 85, n: 110 }, escalation: { successes: 20 }, abandonment: { successes: 5 } });
      expect(candidate.intentAccuracy).toMatchObject({ successes: 90, n: 100, estimate: 0.9 });
      expect(control.hallucination).toMatchObject({ successes: 3, n: 100 });
      for (const m of [control.containment, candidate.escalation, candidate.intentAccuracy]) {
        expect(m.low).toBeLessThan(m.estimate);
        expect(m.high).toBeGreaterThan(m.estimate);
      }
      // Cost: the mean over the 120 control calls (the candidate's events carry no cost).
      const costs = [80, 30, 10].flatMap((n) => Array.from({ length: n }, (_, i) => cost(i)));
      const meanCost = costs.reduce((x, y) => x + y, 0) / costs.length;
      expect(control.costPerCall.n).toBe(120);
      expect(control.costPerCall.estimate).toBeCloseTo(meanCost, 9);
      expect(control.costPerCall.low).toBeLessThan(meanCost);
      expect(control.costPerCall.high).toBeGreaterThan(meanCost);
      expect(candidate.costPerCall).toMatchObject({ n: 0, estimate: null });
      // p95 and its order-statistic interval: ClickHouse agrees with the TypeScript definition.
      for (const [m, xs] of [[control, controlLatency], [candidate, candidateLatency]] as const) {
        const expected = quantileInterval(xs, 0.95);
        expect(m.p95LatencyMs.n).toBe(150);
        expect(m.p95LatencyMs.estimate).toBeCloseTo(expected.estimate!, 6);
        expect(m.p95LatencyMs.low).toBeCloseTo(expected.low!, 6);
        expect(m.p95LatencyMs.high).toBeCloseTo(expected.high!, 6);
        expect(m.latencyOverThreshold).toEqual({ thresholdMs: 2000, over: xs.filter((x) => x > 2000).length, n: 150 });
      }
      // Verdicts: containment and escalation have ≥ 100 calls per arm; the sample is too small to decide.
      const byMetric = Object.fromEntries(report.verdicts.map((v: any) => [v.metric, v]));
      expect(byMetric.containment).toMatchObject({ decision: 'no_difference_yet', n: { control: 120, candidate: 110 }, looks: 1 });
      expect(byMetric.containment.difference).toBeCloseTo(85 / 110 - 80 / 120, 9);
      expect(byMetric.containment.low).toBeLessThan(0);
      expect(byMetric.containment.high).toBeGreaterThan(0);
      expect(byMetric.hallucination.decision).toBe('no_difference_yet');
      expect(report.guardrails.checks).toMatchObject([{ guardrail: 'p95_latency', status: 'ok', n: 150 }]);
      // Each read is a look: the running state is kept between them.
      const again = await json(await env().call(`/v1/rollouts/${r.id}`, { as: { role: 'reviewer' } }));
      expect(again.verdicts[0].looks).toBe(2);
      expect(await env().redis.get(sequentialStateKey(r.id))).toContain('"looks":2');
    });
  });

  describe('guardrails', () => {
    it('end to end: a breach found by checkRollouts rolls back, is audited (system) and notifies the console on Redis', async () => {
      const e = env();
      const tenantId = e.a.tenant.id;
      const a = await agent(e, 'guarded');
      const calm = await agent(e, 'calm');
      const r = await json(await e.call('/v1/rollouts', { as: supervisor, json: createBody(a, { guardrails: { maxHallucinationRate: 0.05, maxEscalationIncreasePoints: 5, minSamples: 100 } }) }), 201);
      await json(await e.call(`/v1/rollouts/${r.id}/advance`, { as: supervisor, json: { expectedStage: 'shadow' } }));
      const ok = await json(await e.call('/v1/rollouts', { as: supervisor, json: createBody(calm, { stage: 'canary_5', guardrails: { maxHallucinationRate: 0.05 } }) }), 201);

      const subscriber = e.redis.duplicate();
      const received: { channel: string; message: string }[] = [];
      try {
        subscriber.on('message', (channel: string, message: string) => received.push({ channel, message }));
        await subscriber.subscribe(notificationChannel(tenantId));

        // Not enough data yet: nothing happens.
        const deps = { db: e.db, analytics: e.analytics, redis: e.redis };
        const early = await checkRollouts(deps, { tenantId });
        expect(early.results.find((x) => x.rolloutId === r.id)).toMatchObject({ outcome: 'insufficient_data' });

        // The candidate hallucinates in 20% of 200 scored turns (limit 5%); the calm rollout's candidate in 1%.
        const s = empty();
        scored(s, tenantId, a.v2.id, 'hallucination', 40, 200, after(r.createdAt));
        scored(s, tenantId, a.v1.id, 'hallucination', 2, 200, after(r.createdAt));
        scored(s, tenantId, calm.v2.id, 'hallucination', 2, 200, after(ok.createdAt));
        await ingest(e, s);

        const result = await checkRollouts(deps, { tenantId });
        expect(result.results.find((x) => x.rolloutId === r.id)).toMatchObject({ outcome: 'rolled_back', reason: expect.stringMatching(/hallucination rate 20\.00%.*is above the limit 5\.00%/) });
        expect(result.results.find((x) => x.rolloutId === ok.id)).toMatchObject({ outcome: 'ok' });

        // Rolled back: traffic to control.
        const report = await json(await e.call(`/v1/rollouts/${r.id}`, { as: { role: 'agent' } }));
        expect(report.rollout).toMatchObject({ status: 'rolled_back', splitPercent: 0, stage: 'canary_5' });
        expect(report.routing).toMatchObject({ control: 100, candidate: 0 });
        expect((await json(await e.call(`/v1/rollouts/${ok.id}`, { as: supervisor }))).rollout).toMatchObject({ status: 'active', stage: 'canary_5' });

        // Audited, by the system, with why.
        const [entry] = await auditOf(e, r.id);
        expect(entry).toMatchObject({ actorType: 'system', actorId: 'rollout-guardrails', action: 'rollout.rolled_back', entityType: 'rollout', entityId: r.id });
        expect(entry!.details).toMatchObject({
          automatic: true,
          reason: expect.stringMatching(/guardrail breached: hallucination rate/),
          from: { stage: 'canary_5', status: 'active', splitPercent: 5 },
          to: { status: 'rolled_back', splitPercent: 0 },
          breaches: [{ guardrail: 'hallucination_rate', threshold: 0.05, n: 200 }],
        });

        // Notified on the tenant's channel, in the documented shape.
        await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
        expect(received[0]!.channel).toBe(`cc:notifications:${tenantId}`);
        const note = ConsoleNotification.parse(JSON.parse(received[0]!.message));
        expect(note).toMatchObject({ type: 'rollout.rolled_back', tenantId, severity: 'critical', rollout: { id: r.id, stage: 'canary_5' }, actor: { type: 'system' } });
        expect(note.breaches[0]).toMatchObject({ guardrail: 'hallucination_rate', status: 'breached' });

        // Idempotent: the next run does not roll back or notify again.
        const rerun = await checkRollouts(deps, { tenantId });
        expect(rerun.results.map((x) => x.rolloutId)).not.toContain(r.id);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(received).toHaveLength(1);
        expect((await auditOf(e, r.id)).filter((x) => x.actorType === 'system')).toHaveLength(1);
      } finally {
        subscriber.disconnect();
      }
    });

    it('an escalation increase with significance rolls back', async () => {
      const e = env();
      const tenantId = e.a.tenant.id;
      const a = await agent(e, 'escalating');
      const r = await json(await e.call('/v1/rollouts', { as: supervisor, json: createBody(a, { stage: 'canary_5', guardrails: { maxEscalationIncreasePoints: 5 } }) }), 201);
      const s = empty();
      const at = after(r.createdAt);
      ended(s, tenantId, a.v1.id, 'contained', 400, at);
      ended(s, tenantId, a.v1.id, 'escalated', 100, at);
      ended(s, tenantId, a.v2.id, 'contained', 150, at);
      ended(s, tenantId, a.v2.id, 'escalated', 150, at);
      await ingest(e, s);
      const result = await checkRollouts({ db: e.db, analytics: e.analytics, redis: e.redis }, { rolloutId: r.id });
      expect(result).toMatchObject({ checked: 1, rolledBack: 1 });
      expect(result.results[0]!.reason).toMatch(/escalation 50\.00% vs control 20\.00%: 30\.00 points .* significantly more than \+5 points/);
      expect((await json(await e.call(`/v1/rollouts/${r.id}`, { as: supervisor }))).rollout.status).toBe('rolled_back');
    });

    it.skipIf(driver === 'pglite')('a breached rollout that someone is changing right now is left for the next run (busy), then rolled back', async () => {
      const e = env();
      const tenantId = e.a.tenant.id;
      const a = await agent(e, 'busy');
      const r = await json(await e.call('/v1/rollouts', { as: supervisor, json: createBody(a, { stage: 'canary_5', guardrails: { maxHallucinationRate: 0.05 } }) }), 201);
      const s = empty();
      scored(s, tenantId, a.v2.id, 'hallucination', 60, 200, after(r.createdAt));
      await ingest(e, s);
      const deps = { db: e.db, analytics: e.analytics, redis: e.redis };
      await e.db.transaction(async (tx) => {
        await tx.execute(`select id from rollouts where id = '${r.id}' for update`);
        const busy = await checkRollouts(deps, { rolloutId: r.id });
        expect(busy.results[0]).toMatchObject({ outcome: 'busy', reason: expect.stringMatching(/being changed by another request/) });
      });
      expect((await json(await e.call(`/v1/rollouts/${r.id}`, { as: supervisor }))).rollout.status).toBe('active');
      expect(await checkRollouts(deps, { rolloutId: r.id })).toMatchObject({ rolledBack: 1 });
      expect((await auditOf(e, r.id)).map((x) => x.action)).toEqual(['rollout.rolled_back', 'rollout.created']);
    });
  });
});
