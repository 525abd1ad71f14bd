import { Redis } from 'ioredis';
import { StoreUnavailableError } from '@cc/core';

/** BullMQ workers block on Redis, so commands must not be retried per request (maxRetriesPerRequest: null). */
export function createRedis(url: string, opts: { forWorker?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: opts.forWorker ? null : 3,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

export async function pingRedis(redis: Redis, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const answer = await Promise.race([redis.ping(), timeout]);
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  } catch (err) {
    throw new StoreUnavailableError('redis', err instanceof Error ? err.message : String(err), err);
  } finally {
    clearTimeout(timer);
  }
}
