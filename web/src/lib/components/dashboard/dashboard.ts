/** The overview dashboard's contract (`GET /v1/dashboard`) and the filter logic shared by page and server. */
export type { Dashboard } from './dashboard-schema';

export interface Filters {
  from: string;
  to: string;
  agentVersion: string;
}

export type FieldErrors = Partial<Record<keyof Filters, string>>;

const DAY_MS = 86_400_000;
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const DEFAULT_DAYS = 7;
export const MAX_DAYS = 400;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Filters from the URL, with defaults (the last 7 UTC days) and a message beside each bad field. */
export function readFilters(params: URLSearchParams, now = Date.now()): { filters: Filters; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const to = params.get('to')?.trim() || isoDay(now);
  const from = params.get('from')?.trim() || isoDay(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * DAY_MS || now - (DEFAULT_DAYS - 1) * DAY_MS);
  const agentVersion = params.get('agentVersion')?.trim() ?? '';
  const valid = (s: string) => PLAIN_DATE.test(s) && isoDay(Date.parse(`${s}T00:00:00Z`)) === s;
  if (!valid(from)) errors.from = 'Enter a date as YYYY-MM-DD.';
  if (!valid(to)) errors.to = 'Enter a date as YYYY-MM-DD.';
  if (!errors.from && !errors.to) {
    const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (span < 0) errors.from = 'The start must be on or before the end.';
    else if (span >= MAX_DAYS) errors.from = `The range can span at most ${MAX_DAYS} days.`;
  }
  if (agentVersion.length > 100) errors.agentVersion = 'An agent version is at most 100 characters.';
  return { filters: { from, to, agentVersion }, errors };
}

/** A query string for the filters (empty values left out), plus extra parameters. */
export function filterQuery(f: Filters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.agentVersion) p.set('agentVersion', f.agentVersion);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
export const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
export const usd = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `$${v.toFixed(v < 1 ? 3 : 2)}`);
