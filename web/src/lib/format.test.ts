import { describe, expect, it } from 'vitest';
import { formatDuration, formatLatency, formatRelative, formatTimestamp, humanize, isReviewOverdue } from './format';

const NOW = Date.parse('2025-06-15T12:00:00Z');

describe('format', () => {
  it('formats timestamps in UTC and tolerates missing values', () => {
    expect(formatTimestamp('2025-06-15T09:05:30Z')).toBe('2025-06-15 09:05 UTC');
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp('nope')).toBe('—');
  });

  it('formats relative times against a given now', () => {
    expect(formatRelative('2025-06-15T11:59:30Z', NOW)).toBe('just now');
    expect(formatRelative('2025-06-15T11:55:00Z', NOW)).toBe('5 min ago');
    expect(formatRelative('2025-06-15T09:00:00Z', NOW)).toBe('3 h ago');
    expect(formatRelative('2025-06-03T12:00:00Z', NOW)).toBe('12 d ago');
    expect(formatRelative('2023-06-01T12:00:00Z', NOW)).toBe('2 y ago');
    expect(formatRelative('2025-06-15T14:00:00Z', NOW)).toBe('in 2 h');
  });

  it('formats call durations, with live calls marked', () => {
    expect(formatDuration('2025-06-15T12:00:00Z', '2025-06-15T12:03:07Z')).toBe('3:07');
    expect(formatDuration('2025-06-15T12:00:00Z', '2025-06-15T13:00:05Z')).toBe('1:00:05');
    expect(formatDuration('2025-06-15T12:00:00Z', null)).toBe('live');
    expect(formatDuration('2025-06-15T12:00:00Z', '2025-06-15T11:00:00Z')).toBe('—');
  });

  it('formats latency', () => {
    expect(formatLatency(0.42)).toBe('0.4 ms');
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1530)).toBe('1.5 s');
  });

  it('flags articles never reviewed or reviewed more than 12 months ago', () => {
    expect(isReviewOverdue(null, NOW)).toBe(true);
    expect(isReviewOverdue('2024-06-14T12:00:00Z', NOW)).toBe(true);
    expect(isReviewOverdue('2024-06-16T12:00:00Z', NOW)).toBe(false);
    expect(isReviewOverdue('2025-01-01T00:00:00Z', NOW)).toBe(false);
  });

  it('humanizes enum-ish values', () => {
    expect(humanize('dead_lettered')).toBe('Dead lettered');
    expect(humanize('kb.article-published')).toBe('Kb article published');
    expect(humanize(null)).toBe('—');
  });
});
