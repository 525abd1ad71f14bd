/** The audit page's date range: `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, both included). */

export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 400;
const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export interface AuditRange {
  /** The days to query (valid, from ≤ to). */
  from: string;
  to: string;
  /** What the user typed, to show back in the form. */
  input: { from: string; to: string };
  /** A message per field that was not usable (the defaults are used instead). */
  errors: { from?: string; to?: string };
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function parseDay(value: string): number | undefined {
  if (!DATE_RE.test(value)) return undefined;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) && isoDay(t) === value ? t : undefined;
}

export function auditRange(search: URLSearchParams, now: number): AuditRange {
  const input = { from: (search.get('from') ?? '').trim(), to: (search.get('to') ?? '').trim() };
  const errors: AuditRange['errors'] = {};
  const today = parseDay(isoDay(now))!;
  let to = today;
  if (input.to) {
    const t = parseDay(input.to);
    if (t === undefined) errors.to = 'Enter the end date as YYYY-MM-DD.';
    else to = t;
  }
  let from = to - (DEFAULT_DAYS - 1) * DAY_MS;
  if (input.from) {
    const f = parseDay(input.from);
    if (f === undefined) errors.from = 'Enter the start date as YYYY-MM-DD.';
    else if (f > to) errors.from = 'The start date must be on or before the end date.';
    else if ((to - f) / DAY_MS + 1 > MAX_DAYS) errors.from = `The range can span at most ${MAX_DAYS} days.`;
    else from = f;
  }
  return { from: isoDay(from), to: isoDay(to), input: { from: input.from || isoDay(from), to: input.to || isoDay(to) }, errors };
}
