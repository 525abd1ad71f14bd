import { inject, it, expect } from 'vitest';
import postgres from 'postgres';
import { Redis } from 'ioredis';

it('has a real PostgreSQL server and a real Redis', async () => {
  const sql = postgres(inject('databaseUrl'), { max: 1 });
  const [row] = await sql`select version() as v`;
  await sql.end();
  expect(String(row!.v)).toMatch(/PostgreSQL/);
  const redis = new Redis(inject('redisUrl'));
  expect(await redis.ping()).toBe('PONG');
  redis.disconnect();
});
