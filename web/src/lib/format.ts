/** Display helpers. Pure and deterministic: pages pass the server's `now` so SSR and hydration agree. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2025-11-23 16:04 UTC`, or an em dash for a missing/invalid value. */
export function formatTimestamp(iso: string | null | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '—';
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2025-11-23`, or an em dash. */
export function formatDate(iso: string | null | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? '—' : new Date(t).toISOString().slice(0, 10);
}

/** `just now`, `5 min ago`, `3 h ago`, `12 d ago`, `4 mo ago`, `2 y ago` (or `in …` for the future). */
export function formatRelative(iso: string | null | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '—';
  const diff = now - t;
  const abs = Math.abs(diff);
  let text: string;
  if (abs < MINUTE) return 'just now';
  else if (abs < HOUR) text = `${Math.floor(abs / MINUTE)} min`;
  else if (abs < DAY) text = `${Math.floor(abs / HOUR)} h`;
  else if (abs < 60 * DAY) text = `${Math.floor(abs / DAY)} d`;
  else if (abs < 365 * DAY) text = `${Math.floor(abs / (30 * DAY))} mo`;
  else text = `${Math.floor(abs / (365 * DAY))} y`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** Call length `m:ss` (or `h:mm:ss`); `live` while the call has not ended. */
export function formatDuration(startIso: string, endIso: string | null | undefined): string {
  if (!endIso) return 'live';
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (Number.isNaN(ms) || ms < 0) return '—';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** Latency in ms: `0.4 ms`, `12 ms`, `1.2 s`. */
export function formatLatency(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Whether an article needs review: never reviewed, or last reviewed more than 12 calendar months ago. */
export function isReviewOverdue(lastReviewedAt: string | null | undefined, now: number): boolean {
  const t = lastReviewedAt ? Date.parse(lastReviewedAt) : NaN;
  if (Number.isNaN(t)) return true;
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 1);
  return t < cutoff.getTime();
}

/** `snake_case` / `kebab-case` / `dot.case` → `Sentence case` for enum-ish values. */
export function humanize(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.replace(/[_.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
