import type { DeadLetter } from '@cc/queue';
import { evalCallerPredictions, evalCallScores, evalIntentConfusion, evalMetricSummary, evalRowCounts, evalStageLatency, type AnalyticsStore, type EvalConfusionCell, type EvalRowCounts, type EvalStageLatency } from '@cc/store/clickhouse';
import { drift, rate, type DriftReport, type Rate } from '../metrics/definitions.ts';

export interface CallProblem {
  callId: string;
  /** The job that failed (eval-replay-call, score-intent, ...) or `enqueue` / `timeout` / `dataset`. */
  stage: string;
  error: string;
}

export interface EvalHeadline {
  run_id: string;
  agent_version: string;
  dataset: string;
  calls: number;
  calls_scored: number;
  calls_failed: number;
  intent_accuracy: number | null;
  coverage: number | null;
  containment: number | null;
  escalation_rate: number | null;
  abandonment: number | null;
  fcr: number | null;
  hallucination_rate: number | null;
  cost_per_call_usd: number | null;
  latency_p95_ms: Record<string, number>;
}

export interface EvalReport {
  headline: EvalHeadline;
  startedAt: Date;
  finishedAt: Date;
  rates: Record<'intent' | 'coverage' | 'containment' | 'escalation' | 'abandonment' | 'fcr' | 'hallucination', Rate>;
  costPerCall: number | null;
  confusion: EvalConfusionCell[];
  latency: EvalStageLatency[];
  rows: EvalRowCounts;
  problems: CallProblem[];
  deadLetters: DeadLetter[];
  /** Intent distribution and mean confidence of this run's caller turns vs a baseline run's. */
  drift?: DriftReport & { baselineRunId: string };
  /** Per call: outcome and cost (calls that were scored). */
  calls: Array<{ callId: string; outcome: string | null; reason: string | null; intentCorrect: number; intentTurns: number; costUsd: number | null; hallucinations: number; answers: number }>;
}

export interface CollectInput {
  runId: string;
  tenantId: string;
  dataset: string;
  agentVersion: string;
  startedAt: Date;
  finishedAt: Date;
  callIds: string[];
  duplicates: Map<string, number>;
  rejected: Map<string, string>;
  deadLetters: DeadLetter[];
  timedOut: string[];
  /** Compare the caller turns' intents and confidence with this run's (drift). */
  baselineRunId?: string;
}

/** The run's figures, read back from ClickHouse (FINAL) and the dead-letter queue. */
export async function collectReport(store: AnalyticsStore, input: CollectInput): Promise<EvalReport> {
  const { tenantId, runId } = input;
  const [summary, confusion, latency, perCall, rows] = await Promise.all([
    evalMetricSummary(store, tenantId, runId),
    evalIntentConfusion(store, tenantId, runId),
    evalStageLatency(store, tenantId, runId),
    evalCallScores(store, tenantId, runId),
    evalRowCounts(store, tenantId, runId),
  ]);
  const m = (metric: string) => summary.find((s) => s.metric === metric);
  const r = (metric: string) => rate(m(metric)?.sum ?? 0, m(metric)?.n ?? 0);
  const cost = m('cost_usd');
  const rates = {
    intent: r('intent'),
    coverage: r('coverage'),
    containment: r('containment'),
    escalation: r('escalation'),
    abandonment: r('abandonment'),
    fcr: r('fcr'),
    hallucination: r('hallucination'),
  };

  const problems: CallProblem[] = [];
  for (const [id, n] of input.duplicates) problems.push({ callId: id, stage: 'dataset', error: `call id occurs ${n} times in the dataset` });
  for (const [id, err] of input.rejected) problems.push({ callId: id, stage: 'enqueue', error: err });
  for (const d of input.deadLetters) problems.push({ callId: String((d.data as { callId?: string } | null)?.callId ?? d.jobId), stage: d.jobName, error: d.error });
  for (const id of input.timedOut) problems.push({ callId: id, stage: 'timeout', error: 'not finished when the run stopped waiting' });
  problems.sort((a, b) => a.callId.localeCompare(b.callId) || a.stage.localeCompare(b.stage));

  const byCall = new Map<string, EvalReport['calls'][number]>();
  for (const s of perCall) {
    const c = byCall.get(s.callId) ?? { callId: s.callId, outcome: null, reason: null, intentCorrect: 0, intentTurns: 0, costUsd: null, hallucinations: 0, answers: 0 };
    if (s.metric === 'containment' && s.details) {
      const d = JSON.parse(s.details) as { outcome?: string; reason?: string };
      c.outcome = d.outcome ?? null;
      c.reason = d.reason ?? null;
    }
    if (s.metric === 'intent') Object.assign(c, { intentCorrect: s.sum, intentTurns: s.n });
    if (s.metric === 'cost_usd') c.costUsd = s.sum;
    if (s.metric === 'hallucination') Object.assign(c, { hallucinations: s.sum, answers: s.n });
    byCall.set(s.callId, c);
  }
  const failedCalls = new Set(problems.map((p) => p.callId));
  const scoredCalls = m('containment')?.calls ?? 0;
  const headline: EvalHeadline = {
    run_id: runId,
    agent_version: input.agentVersion,
    dataset: input.dataset,
    calls: input.callIds.length,
    calls_scored: scoredCalls,
    calls_failed: failedCalls.size,
    intent_accuracy: round(rates.intent.value),
    coverage: round(rates.coverage.value),
    containment: round(rates.containment.value),
    escalation_rate: round(rates.escalation.value),
    abandonment: round(rates.abandonment.value),
    fcr: round(rates.fcr.value),
    hallucination_rate: round(rates.hallucination.value),
    cost_per_call_usd: cost && cost.n ? round(cost.mean, 6) : null,
    latency_p95_ms: Object.fromEntries(latency.map((l) => [l.stage, round(l.p95, 3) ?? 0])),
  };
  let driftReport: EvalReport['drift'];
  if (input.baselineRunId) {
    const [base, cur] = await Promise.all([evalCallerPredictions(store, tenantId, input.baselineRunId), evalCallerPredictions(store, tenantId, runId)]);
    const win = (rows: typeof base) => ({ intents: rows.map((r) => r.intent || '(none)'), confidences: rows.map((r) => r.confidence) });
    driftReport = { baselineRunId: input.baselineRunId, ...drift(win(base), win(cur)) };
  }
  return {
    headline,
    ...(driftReport ? { drift: driftReport } : {}),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    rates,
    costPerCall: headline.cost_per_call_usd,
    confusion,
    latency,
    rows,
    problems,
    deadLetters: input.deadLetters,
    calls: [...byCall.values()].sort((a, b) => a.callId.localeCompare(b.callId)),
  };
}

function round(x: number | null | undefined, digits = 4): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const pct = (r: Rate) => (r.value === null ? 'n/a' : `${(r.value * 100).toFixed(1)} % (${r.numerator}/${r.denominator})`);
const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The run's Markdown report. */
export function renderMarkdown(report: EvalReport, opts: { topConfusions?: number } = {}): string {
  const h = report.headline;
  const top = opts.topConfusions ?? 15;
  const errors = report.confusion.filter((c) => c.label !== c.predicted).slice(0, top);
  const lines: string[] = [
    `# Eval run ${h.run_id}`,
    '',
    `- dataset: \`${h.dataset}\`, agent version: \`${h.agent_version}\``,
    `- started ${report.startedAt.toISOString()}, finished ${report.finishedAt.toISOString()} (${((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000).toFixed(1)} s)`,
    `- calls: ${h.calls}; scored: ${h.calls_scored}; with problems: ${h.calls_failed}`,
    `- rows in ClickHouse: ${report.rows.turns} turns, ${report.rows.stageLatency} stage latencies, ${report.rows.callEvents} call events, ${report.rows.scores} scores`,
    '',
    '## Headline',
    '',
    '| metric | value |',
    '| --- | --- |',
    `| intent accuracy | ${pct(report.rates.intent)} |`,
    `| coverage | ${pct(report.rates.coverage)} |`,
    `| containment | ${pct(report.rates.containment)} |`,
    `| escalation rate | ${pct(report.rates.escalation)} |`,
    `| abandonment | ${pct(report.rates.abandonment)} |`,
    `| first-contact resolution | ${pct(report.rates.fcr)} |`,
    `| hallucination rate (KB answers) | ${pct(report.rates.hallucination)} |`,
    `| cost per call | ${h.cost_per_call_usd === null ? 'n/a' : `$${h.cost_per_call_usd.toFixed(6)}`} |`,
    '',
    '## Latency per stage (ms)',
    '',
    '| stage | turns | p50 | p95 |',
    '| --- | ---: | ---: | ---: |',
    ...report.latency.map((l) => `| ${l.stage} | ${l.n} | ${l.p50.toFixed(2)} | ${l.p95.toFixed(2)} |`),
    '',
    `## Intent confusion (top ${top} errors)`,
    '',
    errors.length ? '| label | predicted | turns |' : 'No intent errors.',
    ...(errors.length ? ['| --- | --- | ---: |', ...errors.map((c) => `| ${cell(c.label)} | ${cell(c.predicted || '(none)')} | ${c.count} |`)] : []),
    '',
    ...(report.drift
      ? [
          `## Drift vs run ${report.drift.baselineRunId}`,
          '',
          `- intent distribution PSI ${report.drift.psi.toFixed(4)}, JS divergence ${report.drift.jsDivergence.toFixed(4)}`,
          `- mean confidence ${fmt(report.drift.baselineMeanConfidence)} → ${fmt(report.drift.currentMeanConfidence)}`,
          `- alert: ${report.drift.alert ? `**yes** (${report.drift.reasons.join('; ')})` : 'no'}`,
          '',
        ]
      : []),
    '## Calls',
    '',
    '| call | outcome | reason | intent correct | KB answers unsupported | cost (USD) |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...report.calls.map((c) => `| ${cell(c.callId)} | ${c.outcome ?? '-'} | ${cell(c.reason ?? '-')} | ${c.intentCorrect}/${c.intentTurns} | ${c.hallucinations}/${c.answers} | ${c.costUsd === null ? '-' : c.costUsd.toFixed(6)} |`),
    '',
    '## Problems (per call; also in the dead-letter queue)',
    '',
    report.problems.length ? '| call | stage | error |' : 'None.',
    ...(report.problems.length ? ['| --- | --- | --- |', ...report.problems.map((p) => `| ${cell(p.callId)} | ${p.stage} | ${cell(p.error)} |`)] : []),
    '',
  ];
  return lines.join('\n');
}
