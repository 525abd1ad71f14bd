import type { AnalyticsStore } from './analytics-store.ts';
import type { TenantRange } from './queries.ts';

/**
 * Reads for the knowledge-base audit (services/knowledge/src/audit, docs/kb-audit.md): what callers
 * said, and how answers were judged, in one tenant's half-open time range [from, to). FINAL, so a
 * row written twice is read once; every value bound as a parameter; newest first, at most `limit`.
 */

export interface KbAuditRange extends TenantRange {
  /** At most this many rows, newest first (default 20,000). */
  limit?: number;
}

export interface CallerTurnRow {
  callId: string;
  turnIndex: number;
  /** Already redacted at ingest. */
  text: string;
  intent: string;
  /** Epoch milliseconds of the turn's start. */
  atMs: number;
}

/** Caller turns (speaker 'caller') that started in the range. */
export async function callerTurnsInRange(store: AnalyticsStore, args: KbAuditRange): Promise<CallerTurnRow[]> {
  const rows = await store.query<{ callId: string; turnIndex: number | string; text: string; intent: string; atMs: number | string }>(
    `SELECT call_id AS callId, turn_index AS turnIndex, text_redacted AS text, intent, toUnixTimestamp64Milli(started_at) AS atMs
     FROM turns FINAL
     WHERE tenant_id = {tenantId:String}
       AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
       AND speaker = 'caller'
     ORDER BY started_at DESC, call_id, turn_index
     LIMIT {limit:UInt32}`,
    { tenantId: args.tenantId, from: args.from, to: args.to, limit: clampLimit(args.limit) },
  );
  return rows.map((r) => ({ callId: r.callId, turnIndex: Number(r.turnIndex), text: r.text, intent: r.intent, atMs: Number(r.atMs) }));
}

export interface ScoreDetailsRow {
  callId: string;
  turnIndex: number;
  value: number;
  /** The details JSON as stored. */
  details: string;
  evaluatorVersion: string;
  /** Epoch milliseconds of scored_at. */
  atMs: number;
}

/** `scores` rows of one metric (the audit reads 'hallucination') scored in the range. */
export async function scoresWithDetailsInRange(store: AnalyticsStore, args: KbAuditRange & { metric: string }): Promise<ScoreDetailsRow[]> {
  const rows = await store.query<{ callId: string; turnIndex: number | string; value: number | string; details: string; evaluatorVersion: string; atMs: number | string }>(
    `SELECT call_id AS callId, turn_index AS turnIndex, value, details, evaluator_version AS evaluatorVersion, toUnixTimestamp64Milli(scored_at) AS atMs
     FROM scores FINAL
     WHERE tenant_id = {tenantId:String}
       AND scored_at >= {from:DateTime64(3, 'UTC')} AND scored_at < {to:DateTime64(3, 'UTC')}
       AND metric = {metric:String}
     ORDER BY scored_at DESC, call_id, turn_index
     LIMIT {limit:UInt32}`,
    { tenantId: args.tenantId, from: args.from, to: args.to, metric: args.metric, limit: clampLimit(args.limit) },
  );
  return rows.map((r) => ({ callId: r.callId, turnIndex: Number(r.turnIndex), value: Number(r.value), details: r.details, evaluatorVersion: r.evaluatorVersion, atMs: Number(r.atMs) }));
}

function clampLimit(limit: number | undefined): number {
  const n = Math.floor(limit ?? 20_000);
  return Number.isFinite(n) ? Math.min(100_000, Math.max(1, n)) : 20_000;
}
