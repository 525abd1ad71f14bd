import { describe, expect, it } from 'vitest';
import { auditRange } from './range';

const now = Date.parse('2026-11-15T10:00:00Z');
const range = (qs: string) => auditRange(new URLSearchParams(qs), now);

describe('auditRange', () => {
  it('defaults to the last 30 days, today included', () => {
    expect(range('')).toEqual({ from: '2026-10-17', to: '2026-11-15', input: { from: '2026-10-17', to: '2026-11-15' }, errors: {} });
  });

  it('takes valid days', () => {
    expect(range('from=2026-01-01&to=2026-01-31')).toMatchObject({ from: '2026-01-01', to: '2026-01-31', errors: {} });
    expect(range('from=2026-01-31&to=2026-01-31')).toMatchObject({ from: '2026-01-31', to: '2026-01-31', errors: {} });
  });

  it('explains each unusable field and falls back to the defaults', () => {
    expect(range('from=yesterday')).toMatchObject({ from: '2026-10-17', input: { from: 'yesterday' }, errors: { from: 'Enter the start date as YYYY-MM-DD.' } });
    expect(range('from=2026-02-30')).toMatchObject({ errors: { from: 'Enter the start date as YYYY-MM-DD.' } });
    expect(range('from=2026-02-01&to=2026-01-01')).toMatchObject({ from: '2025-12-03', to: '2026-01-01', errors: { from: 'The start date must be on or before the end date.' } });
    expect(range('from=2024-01-01')).toMatchObject({ errors: { from: 'The range can span at most 400 days.' } });
    expect(range('to=soon')).toMatchObject({ to: '2026-11-15', errors: { to: 'Enter the end date as YYYY-MM-DD.' } });
  });
});
