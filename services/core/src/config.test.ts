import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './errors.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults with no environment', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.API_PORT).toBe(8080);
    expect(c.SEED_DEMO).toBe(true);
  });

  it('names every bad variable and its fix', () => {
    try {
      loadConfig({ API_PORT: '99999', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.issues.map((i) => i.variable).sort()).toEqual(['API_PORT', 'DATABASE_URL', 'LOG_LEVEL']);
      expect(e.message).toContain('DATABASE_URL');
      expect(e.message).toContain('postgres://');
    }
  });

  it('accepts real server URLs', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', CLICKHOUSE_URL: 'http://localhost:8123' });
    expect(c.CLICKHOUSE_URL).toBe('http://localhost:8123');
  });
});
