import { mulberry32, sha256Hex } from '@cc/core';

/**
 * Canonical JSON: object keys sorted recursively, no whitespace, `undefined` members dropped (as
 * JSON.stringify does). Equal values always give the same string, whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** sha256 (hex) of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** A seeded PRNG (mulberry32): the same seed gives the same sequence, on every platform. */
export class Prng {
  /** A float in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** Pick by weight; `weights` has one non-negative number per item. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

/** "TransferMoney" → "transfer_money"; "RentalCars_1" → "rental_cars_1". */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

/** "recover_password" → "recover-password" (URL-safe slug part). */
export function kebabCase(name: string): string {
  return snakeCase(name).replace(/_/g, '-').replace(/[^a-z0-9-]/g, '');
}

/** "number_of_days" → "number of days". */
export function humanize(name: string): string {
  return name.replace(/_/g, ' ');
}

/** A date `days` whole days before `asOf`, as YYYY-MM-DD (UTC). */
export function isoDateDaysBefore(asOf: Date, days: number): string {
  return new Date(asOf.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}
