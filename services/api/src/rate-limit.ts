import type { Redis } from 'ioredis';
import { RateLimitedError } from '@cc/core';

/**
 * Fixed-window counter in Redis, shared by every API node. Throws RateLimitedError once `limit` hits
 * within `windowSeconds` for `key`.
 */
export async function hitRateLimit(redis: Redis, key: string, limit: number, windowSeconds: number, what: string): Promise<void> {
  const redisKey = `cc:ratelimit:${key}`;
  const [[, count], [, ttl]] = (await redis.multi().incr(redisKey).ttl(redisKey).exec()) as [[null, number], [null, number]];
  if (ttl < 0) await redis.expire(redisKey, windowSeconds);
  if (count > limit) {
    throw new RateLimitedError(`Too many ${what}; try again in ${Math.max(ttl, 1)} seconds`, Math.max(ttl, 1));
  }
}

export async function clearRateLimit(redis: Redis, key: string): Promise<void> {
  await redis.del(`cc:ratelimit:${key}`);
}

/** Give back one hit of `key` (an attempt that turned out legitimate); the window is left as it is. */
export async function releaseRateLimit(redis: Redis, key: string): Promise<void> {
  const redisKey = `cc:ratelimit:${key}`;
  const left = await redis.decr(redisKey);
  if (left <= 0) await redis.del(redisKey);
}
