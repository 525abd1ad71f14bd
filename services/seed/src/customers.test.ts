import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomersSchema, buildCustomers } from './customers.ts';
import { loadAbcd } from './sources.ts';

describe('buildCustomers', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is deterministic for a seed and does not use Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    const a = buildCustomers();
    expect(buildCustomers(200, 1)).toEqual(a);
    expect(spy).not.toHaveBeenCalled();
    expect(a).toHaveLength(200);
    expect(buildCustomers(200, 2)).not.toEqual(a);
    expect(buildCustomers(10, 1)).toEqual(a.slice(0, 10));
  });

  it('produces valid records with unique ids built from the ontology value lists', () => {
    const list = buildCustomers(500, 7);
    expect(CustomersSchema.safeParse(list).success).toBe(true);
    const values = loadAbcd().ontology.values.enumerable;
    const firsts = new Set(values.customer_name!.map((n) => n.split(' ')[0]));
    for (const c of list) {
      expect(firsts.has(c.fullName.split(' ')[0])).toBe(true);
      expect(values.membership_level).toContain(c.membershipLevel);
      expect(c.email.endsWith('@example.com')).toBe(true);
      expect(c.email.startsWith(c.username)).toBe(true);
      for (const o of c.orders) {
        expect(values.product).toContain(o.product);
        expect(values.payment_method).toContain(o.paymentMethod);
        expect(values.shipping_option).toContain(o.status);
      }
    }
    const levels = new Set(list.map((c) => c.membershipLevel));
    expect(levels.size).toBe(4);
    const statuses = new Set(list.flatMap((c) => c.orders.map((o) => o.status)));
    expect(statuses.size).toBe(4);
  });

  it('dates orders before asOf, newest first', () => {
    const asOf = new Date('2026-01-15T00:00:00Z');
    for (const c of buildCustomers(50, 3, { asOf })) {
      const dates = c.orders.map((o) => o.placedAt);
      expect([...dates].sort().reverse()).toEqual(dates);
      for (const d of dates) expect(d <= '2026-01-15' && d >= '2025-01-15').toBe(true);
    }
  });

  it('rejects a bad count', () => {
    expect(() => buildCustomers(-1)).toThrow(RangeError);
    expect(buildCustomers(0)).toEqual([]);
  });
});
