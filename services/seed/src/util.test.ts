import { sha256Hex } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { Prng, canonicalJson, contentHash, kebabCase, snakeCase } from './util.ts';

describe('canonicalJson / contentHash', () => {
  it('ignores key order and undefined members, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(contentHash({ x: 1, y: [1, 2] })).toBe(contentHash({ y: [1, 2], x: 1 }));
    expect(contentHash([1, 2])).not.toBe(contentHash([2, 1]));
  });

  it('is sha256 of the canonical string (pinned)', () => {
    expect(contentHash({ b: 2, a: 1 })).toBe(sha256Hex('{"a":1,"b":2}'));
    expect(contentHash({ b: 2, a: 1 })).toBe('43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777');
  });
});

describe('Prng', () => {
  it('repeats for a seed and stays in range', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r = new Prng(1);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect(new Prng(1).next()).not.toBe(new Prng(2).next());
  });
});

describe('names', () => {
  it('converts between naming styles', () => {
    expect(snakeCase('TransferMoney')).toBe('transfer_money');
    expect(snakeCase('SearchOnewayFlight')).toBe('search_oneway_flight');
    expect(kebabCase('Log Out In')).toBe('log-out-in');
    expect(kebabCase('recover_password')).toBe('recover-password');
  });
});
