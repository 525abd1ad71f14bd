import { parseArgs } from 'node:util';
import { ValidationError } from '@cc/core';

/** `--name value` flags of a benchmark, as positive integers; anything else is a clear error. */
export function intFlags<K extends string>(argv: string[], defaults: Record<K, number>): Record<K, number> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as K[]) {
    const raw = (values as Record<string, string | undefined>)[key];
    if (raw === undefined) continue;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n <= 0) throw new ValidationError('benchmark flags', [{ path: `--${key}`, message: `must be a positive whole number, got ${raw}` }]);
    out[key] = n;
  }
  return out;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
