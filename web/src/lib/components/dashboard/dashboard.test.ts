import { describe, expect, it } from 'vitest';
import { filterQuery, ms, pct, readFilters } from './dashboard';

const NOW = Date.UTC(2026, 2, 15, 12);

describe('dashboard filters', () => {
  it('defaults to the last 7 UTC days', () => {
    expect(readFilters(new URLSearchParams(), NOW)).toEqual({ filters: { from: '2026-03-09', to: '2026-03-15', agentVersion: '' }, errors: {} });
  });
  it('names the bad field', () => {
    expect(readFilters(new URLSearchParams('from=2026-02-30&to=2026-03-01'), NOW).errors).toEqual({ from: expect.stringMatching(/YYYY-MM-DD/) });
    expect(readFilters(new URLSearchParams('from=2026-03-10&to=2026-03-01'), NOW).errors.from).toMatch(/on or before/);
    expect(readFilters(new URLSearchParams('to=soon'), NOW).errors.to).toBeDefined();
  });
  it('builds drill-down queries', () => {
    expect(filterQuery({ from: '2026-03-01', to: '2026-03-02', agentVersion: '' }, { outcome: 'escalated' })).toBe('from=2026-03-01&to=2026-03-02&outcome=escalated');
  });
  it('formats missing numbers as a dash, never zero', () => {
    expect(pct(null)).toBe('—');
    expect(pct(0.5)).toBe('50.0%');
    expect(ms(1500)).toBe('1.50 s');
  });
});
