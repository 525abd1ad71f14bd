import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { CallEventRow, ScoreRow, StageLatencyRow, TurnRow } from '@cc/core';
import { ingestRows, type AnalyticsStore } from '@cc/store/clickhouse';
import type { EvalCallRef, EvalPrices, EvalReplayCall, EvalScoreCost, EvalScoreJob, JobQueues } from '@cc/queue';
import { HALLUCINATION_METRIC, checkGrounding, hallucinationDetails, type GroundingSource } from '@cc/knowledge';
import type { Processors } from '../../job-worker.ts';
import { answerClaims, callCost, classifyCallOutcome, isCovered } from './call-metrics.ts';

/**
 * Bad input that no retry can fix (unknown agent version, unknown or duplicate call, empty call,
 * missing labels): the job is dead-lettered at once with this message, and the run goes on.
 */
export class EvalInputError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

/** One dataset call as the replay needs it: caller turns (text + label) in order. */
export interface EvalDatasetCall {
  id: string;
  turns: ReadonlyArray<{ index: number; speaker: 'caller' | 'agent'; text: string; intent?: string | null }>;
}

/** The parts of a dialogue engine decision the evaluation reads (services/dialogue `TurnDecision`). */
export interface EvalDecision {
  kind: string;
  text: string;
  intent: string | null;
  confidence: number;
  reason?: string;
  source?: string;
  citations?: ReadonlyArray<{ articleId: string; version?: number; start?: number; end?: number; slug?: string }>;
  timings: { nlu: number; retrieval: number; policy: number; llm: number; actions: number; total: number };
}

/** The dialogue engine as buildAgent returns it (structurally). */
export interface EvalEngine {
  startSession(input: { callId: string; tenantId?: string | null }): Promise<{ session: { handleTurn(input: { text: string }): Promise<EvalDecision> }; greeting: { text: string } }>;
}

export type EvalCitation = { articleId: string; version?: number; start?: number; end?: number; slug?: string };

export interface EvalDeps {
  analytics: AnalyticsStore;
  /** Where the replay enqueues its score jobs. */
  queues: JobQueues;
  /** The dataset call, or throw EvalInputError (unknown dataset / call, duplicate id). */
  loadCall(dataset: string, callId: string): Promise<EvalDatasetCall>;
  /** The agent version's engine, or throw EvalInputError (unknown version). Cache it: every call asks. */
  agent(tenantId: string, agentVersion: string): Promise<EvalEngine>;
  /** The KB passages an answer cited (the cited span of each article version). */
  passages(tenantId: string, citations: readonly EvalCitation[]): Promise<GroundingSource[]>;
  /** Default prices for score-cost (a job's own prices win). */
  prices?: EvalPrices;
}

export const EVAL_EVALUATOR_VERSION = 'evals-v1';
export const EVAL_SCORE_JOBS = ['score-intent', 'score-hallucination', 'score-containment', 'score-latency', 'score-cost'] as const;

/** The ClickHouse `call_id` of a replayed call: run-scoped, so runs never overwrite each other. */
export function evalCallId(runId: string, callId: string): string {
  return `${runId}/${callId}`;
}

/** What the replay stores per caller turn (call_events 'eval_turn' payload). */
export interface EvalTurnEvent {
  turnIndex: number;
  /** Index of the caller turn in the dataset call. */
  datasetTurn: number;
  label: string | null;
  predicted: string | null;
  confidence: number;
  kind: string;
  source: string;
  reason: string;
  callerChars: number;
  answer: string;
  citations: EvalCitation[];
  timings: EvalDecision['timings'];
}

const TURN_SPACING_MS = 1_000;

/** Rows of one replayed call, with times derived from the run start so a re-run writes the same keys. */
export async function replayCall(deps: Pick<EvalDeps, 'loadCall' | 'agent'>, ref: EvalCallRef) {
  const call = await deps.loadCall(ref.dataset, ref.callId);
  const callerTurns = call.turns.filter((t) => t.speaker === 'caller' && t.text.trim());
  if (callerTurns.length === 0) throw new EvalInputError(`call ${ref.callId} has no caller turns`);
  const engine = await deps.agent(ref.tenantId, ref.agentVersion);
  const cid = evalCallId(ref.runId, ref.callId);
  const t0 = Date.parse(ref.runStartedAt);
  const at = (i: number) => new Date(t0 + i * TURN_SPACING_MS);
  const base = { tenant_id: ref.tenantId, call_id: cid, agent_version: ref.agentVersion };
  const turns: TurnRow[] = [];
  const stages: StageLatencyRow[] = [];
  const events: CallEventRow[] = [];
  const decisions: EvalTurnEvent[] = [];

  const { session, greeting } = await engine.startSession({ callId: cid, tenantId: ref.tenantId });
  let index = 0;
  turns.push({ ...base, turn_index: index, speaker: 'agent', text_redacted: greeting.text, intent: '', confidence: 1, started_at: at(index), ended_at: at(index) });
  events.push({ ...base, seq: 0, event_type: 'eval_call_start', at: at(0), payload: JSON.stringify({ runId: ref.runId, dataset: ref.dataset, callId: ref.callId, agentVersion: ref.agentVersion, callerTurns: callerTurns.length }) });
  for (const t of callerTurns) {
    const callerIndex = ++index;
    const d = await session.handleTurn({ text: t.text });
    const label = t.intent && t.intent !== 'NONE' ? t.intent : null;
    turns.push({ ...base, turn_index: callerIndex, speaker: 'caller', text_redacted: t.text, intent: d.intent ?? '', confidence: clamp01(d.confidence), started_at: at(callerIndex), ended_at: at(callerIndex) });
    const agentIndex = ++index;
    turns.push({ ...base, turn_index: agentIndex, speaker: 'agent', text_redacted: d.text, intent: d.intent ?? '', confidence: clamp01(d.confidence), started_at: at(agentIndex), ended_at: at(agentIndex) });
    const tm = d.timings;
    const policyMs = (tm.policy ?? 0) + (tm.retrieval ?? 0) + (tm.actions ?? 0);
    for (const [stage, ms] of [['nlu', tm.nlu ?? 0], ['policy', policyMs], ['llm', tm.llm ?? 0]] as const) {
      stages.push({ ...base, turn_index: callerIndex, stage, started_at: at(callerIndex), duration_ms: Math.max(0, ms) });
    }
    const ev: EvalTurnEvent = {
      turnIndex: callerIndex,
      datasetTurn: t.index,
      label,
      predicted: d.intent,
      confidence: clamp01(d.confidence),
      kind: d.kind,
      source: d.source ?? '',
      reason: d.reason ?? '',
      callerChars: t.text.length,
      answer: d.text,
      citations: (d.citations ?? []).map((c) => ({ articleId: c.articleId, ...(c.slug ? { slug: c.slug } : {}), ...(c.version !== undefined ? { version: c.version } : {}), ...(c.start !== undefined ? { start: c.start } : {}), ...(c.end !== undefined ? { end: c.end } : {}) })),
      timings: tm,
    };
    decisions.push(ev);
    events.push({ ...base, seq: events.length, event_type: 'eval_turn', at: at(callerIndex), payload: JSON.stringify(ev) });
    if (d.kind === 'escalate' || d.kind === 'end') break;
  }
  const outcome = classifyCallOutcome(decisions);
  events.push({ ...base, seq: events.length, event_type: 'eval_call_end', at: at(index), payload: JSON.stringify({ ...outcome, callerTurnsReplayed: decisions.length }) });
  return { turns, stages, events, decisions, outcome };
}

/**
 * The dedup-token scope of a write: the job id plus a hash of the rows. A retry of the same work
 * re-sends identical blocks, which ClickHouse drops; a re-run that produced different rows (other
 * timings) inserts them, and ReplacingMergeTree keeps the latest copy of each key: it replaces.
 */
function writeScope(jobId: string, rows: unknown): string {
  return `${jobId}:${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
}

function jobKey(job: Job, ref: EvalCallRef, name: string): string {
  return job.id ?? `${name}.${ref.runId}.${ref.callId}`;
}

export function evalReplayCall(deps: EvalDeps) {
  return async (payload: EvalReplayCall, job: Job) => {
    const r = await replayCall(deps, payload);
    const id = jobKey(job, payload, 'eval-replay-call');
    await ingestRows(deps.analytics, 'turns', r.turns, { jobId: writeScope(id, r.turns) });
    await ingestRows(deps.analytics, 'stage_latency', r.stages, { jobId: writeScope(id, r.stages) });
    await ingestRows(deps.analytics, 'call_events', r.events, { jobId: writeScope(id, r.events) });
    if (payload.scoreJobs) {
      const { scoreJobs: _, ...ref } = payload;
      // Not a BullMQ flow: a flow's parent waits for its children, but here one replay fans out to five
      // independent scorers. Deterministic job ids make this enqueue idempotent across replay retries.
      for (const name of EVAL_SCORE_JOBS) await deps.queues.enqueue(name, ref, { idempotencyKey: `${payload.runId}:${payload.callId}` });
    }
    return { turns: r.turns.length, stages: r.stages.length, events: r.events.length, outcome: r.outcome.outcome };
  };
}

/** The replayed call's per-turn events, read back from ClickHouse (FINAL: a re-written row counts once). */
export async function readEvalTurns(analytics: AnalyticsStore, ref: EvalCallRef): Promise<EvalTurnEvent[]> {
  const rows = await analytics.query<{ payload: string }>(
    `SELECT payload FROM call_events FINAL
     WHERE tenant_id = {tenantId:String} AND call_id = {callId:String} AND event_type = 'eval_turn'
     ORDER BY seq`,
    { tenantId: ref.tenantId, callId: evalCallId(ref.runId, ref.callId) },
  );
  // Written by the replay just before this job was enqueued: nothing there means the replay's rows
  // are not visible yet (or were lost), which a retry may fix.
  if (rows.length === 0) throw new Error(`no replayed turns for ${ref.runId}/${ref.callId}`);
  return rows.map((r) => JSON.parse(r.payload) as EvalTurnEvent);
}

function scoreRow(ref: EvalCallRef, metric: string, turnIndex: number, value: number, details: unknown, evaluatorVersion = EVAL_EVALUATOR_VERSION): ScoreRow {
  return {
    tenant_id: ref.tenantId,
    call_id: evalCallId(ref.runId, ref.callId),
    turn_index: turnIndex,
    agent_version: ref.agentVersion,
    run_id: ref.runId,
    metric,
    value,
    evaluator_version: evaluatorVersion,
    details: JSON.stringify(details),
    scored_at: new Date(ref.runStartedAt),
  };
}

async function writeScores(deps: EvalDeps, job: Job, ref: EvalCallRef, name: string, rows: ScoreRow[]) {
  await ingestRows(deps.analytics, 'scores', rows, { jobId: writeScope(jobKey(job, ref, name), rows) });
  return { scores: rows.length };
}

/** Per labelled caller turn: `intent` = 1 when the predicted intent equals the label; `coverage` per turn. */
export function scoreIntent(deps: EvalDeps) {
  return async (payload: EvalScoreJob, job: Job) => {
    const turns = await readEvalTurns(deps.analytics, payload);
    const labelled = turns.filter((t) => t.label);
    if (labelled.length === 0) throw new EvalInputError(`call ${payload.callId} has no intent labels`);
    const rows = labelled.flatMap((t) => [
      scoreRow(payload, 'intent', t.turnIndex, t.predicted === t.label ? 1 : 0, { label: t.label, predicted: t.predicted ?? '', confidence: t.confidence }),
      scoreRow(payload, 'coverage', t.turnIndex, isCovered(t.predicted) ? 1 : 0, { predicted: t.predicted ?? '' }),
    ]);
    return writeScores(deps, job, payload, 'score-intent', rows);
  };
}

/**
 * Per KB answer (a decision of kind 'answer'): the grounding checker against the passages it cited,
 * on the answer's claims (answerClaims: the questions appended to it are not judged).
 * value 1 = unsupported (a hallucination); details per HallucinationScoreDetails (@cc/knowledge).
 * A call without answers writes nothing (its hallucination rate is undefined, not 0).
 */
export function scoreHallucination(deps: EvalDeps) {
  return async (payload: EvalScoreJob, job: Job) => {
    const turns = await readEvalTurns(deps.analytics, payload);
    const rows: ScoreRow[] = [];
    for (const t of turns.filter((x) => x.kind === 'answer')) {
      const sources = t.citations.length ? await deps.passages(payload.tenantId, t.citations) : [];
      const check = checkGrounding(answerClaims(t.answer), sources);
      const details = hallucinationDetails(check, t.citations);
      rows.push(scoreRow(payload, HALLUCINATION_METRIC, t.turnIndex + 1, check.supported ? 0 : 1, details, check.scorer));
    }
    return writeScores(deps, job, payload, 'score-hallucination', rows);
  };
}

/** Per call (turn_index -1): `containment` 1/0, `escalation` 1/0, `abandonment` 1/0, `fcr` 1/0. */
export function scoreContainment(deps: EvalDeps) {
  return async (payload: EvalScoreJob, job: Job) => {
    const turns = await readEvalTurns(deps.analytics, payload);
    const o = classifyCallOutcome(turns);
    const details = { outcome: o.outcome, reason: o.reason, resolved: o.resolved };
    const rows = [
      scoreRow(payload, 'containment', -1, o.outcome === 'contained' ? 1 : 0, details),
      scoreRow(payload, 'escalation', -1, o.outcome === 'escalated' ? 1 : 0, details),
      scoreRow(payload, 'abandonment', -1, o.outcome === 'abandoned' ? 1 : 0, details),
      scoreRow(payload, 'fcr', -1, o.resolved ? 1 : 0, details),
    ];
    return writeScores(deps, job, payload, 'score-containment', rows);
  };
}

/** Per caller turn: `latency_ms` = the engine's total turn time, with the per-stage split in details. */
export function scoreLatency(deps: EvalDeps) {
  return async (payload: EvalScoreJob, job: Job) => {
    const turns = await readEvalTurns(deps.analytics, payload);
    const rows = turns.map((t) => scoreRow(payload, 'latency_ms', t.turnIndex, Math.max(0, t.timings.total ?? 0), t.timings));
    return writeScores(deps, job, payload, 'score-latency', rows);
  };
}

/** Per call: `cost_usd` (callCost: estimated audio seconds and LLM tokens × prices). */
export function scoreCost(deps: EvalDeps) {
  return async (payload: EvalScoreCost, job: Job) => {
    const turns = await readEvalTurns(deps.analytics, payload);
    const prices = { ...deps.prices, ...payload.prices };
    const cost = callCost(turns.map((t) => ({ callerChars: t.callerChars, agentChars: t.answer.length, llm: t.source === 'llm' })), prices);
    const { prices: _, ...ref } = payload;
    return writeScores(deps, job, ref, 'score-cost', [scoreRow(ref, 'cost_usd', -1, cost.usd, cost)]);
  };
}

/** Every evaluation processor, for `startJobWorker({ queue: 'evals', processors: evalProcessors(deps) })`. */
export function evalProcessors(deps: EvalDeps): Processors {
  return {
    'eval-replay-call': evalReplayCall(deps),
    'score-intent': scoreIntent(deps),
    'score-hallucination': scoreHallucination(deps),
    'score-containment': scoreContainment(deps),
    'score-latency': scoreLatency(deps),
    'score-cost': scoreCost(deps),
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
