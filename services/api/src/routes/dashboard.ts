import { z } from 'zod';
import { AppError, errorMessage, type Role } from '@cc/core';
import {
  callVolumePerDay,
  containmentPerDay,
  costPerCall,
  endedCalls,
  intentAccuracyForVersion,
  intentAccuracyPerIntent,
  outcomesPerVersion,
  stageLatencyForVersion,
  stageLatencyP95,
} from '@cc/store/clickhouse';
import { queryParams } from '../request.ts';
import type { Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

export const DASHBOARD_READERS: readonly Role[] = ['admin', 'supervisor', 'reviewer'];

const DAY_MS = 86_400_000;
const DEFAULT_RANGE_DAYS = 7;
const MAX_RANGE_DAYS = 400;
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

const dateParam = (endOfDay: boolean) =>
  z
    .string()
    .max(40)
    .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z')
    .transform((s) => (PLAIN_DATE.test(s) ? new Date(Date.parse(`${s}T00:00:00Z`) + (endOfDay ? DAY_MS : 0)) : new Date(Date.parse(s))));

const DashboardQuery = z
  .object({
    /** Start (inclusive; default 7 days before `to`). */
    from: dateParam(false).optional(),
    /** End (exclusive; a plain date means the end of that day; default now). */
    to: dateParam(true).optional(),
    /** Only calls, scores and latencies of this agent version. */
    agentVersion: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`' });
    else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the range can span at most ${MAX_RANGE_DAYS} days` });
    return { ...q, from, to };
  });

const CallsQuery = z
  .object({
    from: dateParam(false).optional(),
    to: dateParam(true).optional(),
    agentVersion: z.string().trim().min(1, 'must not be empty').max(100).optional(),
    outcome: z.enum(['contained', 'escalated', 'abandoned', 'failed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`' });
    else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the range can span at most ${MAX_RANGE_DAYS} days` });
    return { ...q, from, to };
  });

const num = (v: unknown): number => Number(v ?? 0);
const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * The overview dashboard: outcomes and volume per day, intent accuracy per intent, latency per stage,
 * cost per call and a per-version breakdown, all from ClickHouse. When ClickHouse cannot be read the
 * answer is a 503 problem (`analytics_delayed`), never a dashboard of zeros.
 */
export function dashboardRoutes(deps: ApiDeps, routes: Routes) {
  const log = deps.logger.child({ component: 'dashboard' });

  routes.add({ method: 'GET', path: '/v1/dashboard', roles: DASHBOARD_READERS, summary: 'Overview dashboard: containment, escalation, abandonment, intent accuracy, latency, volume' }, async (c) => {
    const q = queryParams(c, DashboardQuery);
    const tenantId = c.get('principal').tenantId;
    const range = { tenantId, from: q.from, to: q.to };
    const versioned = q.agentVersion === undefined ? range : { ...range, agentVersion: q.agentVersion };
    let results;
    try {
      results = await Promise.all([
        containmentPerDay(deps.analytics, versioned),
        callVolumePerDay(deps.analytics, versioned),
        q.agentVersion === undefined ? intentAccuracyPerIntent(deps.analytics, range) : intentAccuracyForVersion(deps.analytics, { ...range, agentVersion: q.agentVersion }),
        q.agentVersion === undefined ? stageLatencyP95(deps.analytics, range) : stageLatencyForVersion(deps.analytics, { ...range, agentVersion: q.agentVersion }),
        costPerCall(deps.analytics, versioned),
        outcomesPerVersion(deps.analytics, range),
      ]);
    } catch (err) {
      log.warn({ err: errorMessage(err), requestId: c.get('requestId') }, 'dashboard read failed');
      throw new AppError('analytics_delayed', 'Dashboard data is delayed: the analytics store (ClickHouse) could not be read. Try again shortly.', { status: 503 });
    }
    const [outcomeDays, volumeDays, intents, stages, cost, versions] = results;

    const days = outcomeDays.map((d) => {
      const ended = num(d.ended);
      return {
        day: String(d.day),
        ended,
        contained: num(d.contained),
        escalated: num(d.escalated),
        abandoned: num(d.abandoned),
        containmentRate: rate(num(d.contained), ended),
        escalationRate: rate(num(d.escalated), ended),
        abandonmentRate: rate(num(d.abandoned), ended),
      };
    });
    const sum = (k: 'ended' | 'contained' | 'escalated' | 'abandoned') => days.reduce((n, d) => n + d[k], 0);
    const ended = sum('ended');
    const scored = intents.reduce((n, i) => n + num(i.scored), 0);
    const correct = intents.reduce((n, i) => n + num(i.correct), 0);
    const stageRows = stages.map((s) => ({ stage: s.stage, samples: num(s.samples), p50Ms: num(s.p50Ms), p95Ms: num(s.p95Ms) }));
    const volume = volumeDays.map((v) => ({ day: String(v.day), calls: num(v.calls) }));

    return c.json({
      range: { from: q.from.toISOString(), to: q.to.toISOString() },
      agentVersion: q.agentVersion ?? null,
      totals: {
        calls: volume.reduce((n, v) => n + v.calls, 0),
        ended,
        contained: sum('contained'),
        escalated: sum('escalated'),
        abandoned: sum('abandoned'),
        containmentRate: rate(sum('contained'), ended),
        escalationRate: rate(sum('escalated'), ended),
        abandonmentRate: rate(sum('abandoned'), ended),
        intentScored: scored,
        intentAccuracy: rate(correct, scored),
        /** The slowest stage's p95 (null without latency samples). */
        p95LatencyMs: stageRows.length > 0 ? Math.max(...stageRows.map((s) => s.p95Ms)) : null,
        costPerCallUsd: cost.costPerCallUsd,
        costedCalls: cost.costedCalls,
      },
      outcomesPerDay: days,
      volumePerDay: volume,
      intentAccuracy: intents.map((i) => ({ intent: i.intent, scored: num(i.scored), correct: num(i.correct), accuracy: num(i.accuracy) })),
      stageLatency: stageRows,
      versions: versions.map((v) => {
        const n = num(v.ended);
        return { agentVersion: v.agentVersion, ended: n, containmentRate: rate(num(v.contained), n), escalationRate: rate(num(v.escalated), n), abandonmentRate: rate(num(v.abandoned), n) };
      }),
    });
  });

  routes.add({ method: 'GET', path: '/v1/dashboard/calls', roles: DASHBOARD_READERS, summary: 'The ended calls behind a dashboard number (drill-down), newest first' }, async (c) => {
    const q = queryParams(c, CallsQuery);
    const tenantId = c.get('principal').tenantId;
    let items;
    try {
      items = await endedCalls(deps.analytics, {
        tenantId,
        from: q.from,
        to: q.to,
        limit: q.limit + 1,
        ...(q.agentVersion === undefined ? {} : { agentVersion: q.agentVersion }),
        ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
      });
    } catch (err) {
      log.warn({ err: errorMessage(err), requestId: c.get('requestId') }, 'dashboard calls read failed');
      throw new AppError('analytics_delayed', 'Call data is delayed: the analytics store (ClickHouse) could not be read. Try again shortly.', { status: 503 });
    }
    return c.json({ range: { from: q.from.toISOString(), to: q.to.toISOString() }, items: items.slice(0, q.limit), truncated: items.length > q.limit });
  });
}
