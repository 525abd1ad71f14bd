import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MemorySessionStore, RedisSessionStore, type CallSessionState, type SessionStore } from './session-store.ts';

const state = (callId: string): CallSessionState => ({
  v: 1,
  callId,
  tenantId: 'acme',
  connector: 'twilio',
  externalCallId: `CA-${callId}`,
  nodeId: 'node-a',
  status: 'active',
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  turns: 2,
  history: [
    { speaker: 'agent', text: 'Hello, how can I help?' },
    { speaker: 'caller', text: 'my card is [CARD]', intent: 'billing' },
  ],
  policyState: { expecting: 'account_number', noMatch: 1 },
  grammar: 'digits',
});

let redis: Redis;
const prefix = `test-voice-${process.pid}-${Date.now()}`;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 3 });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe.each([
  ['redis', () => new RedisSessionStore(redis, prefix) as SessionStore],
  ['memory', () => new MemorySessionStore() as SessionStore],
])('%s session store', (name, make) => {
  test('saves, loads and deletes a call state', async () => {
    const store = make();
    await store.save(state('c1'));
    expect(await store.load('c1')).toEqual(state('c1'));
    expect(await store.load('nope')).toBeUndefined();
    await store.delete('c1');
    expect(await store.load('c1')).toBeUndefined();
  });

  test('session affinity: the first node claims the call, others learn the owner, only the owner releases', async () => {
    const store = make();
    expect(await store.claimAffinity('CA-1', 'node-a')).toBe('node-a');
    expect(await store.claimAffinity('CA-1', 'node-b')).toBe('node-a');
    expect(await store.claimAffinity('CA-1', 'node-a')).toBe('node-a');
    await store.releaseAffinity('CA-1', 'node-b');
    expect(await store.claimAffinity('CA-1', 'node-b')).toBe('node-a');
    await store.releaseAffinity('CA-1', 'node-a');
    expect(await store.claimAffinity('CA-1', 'node-b')).toBe('node-b');
  });

  if (name === 'redis') {
    test('keys carry a TTL', async () => {
      const store = new RedisSessionStore(redis, prefix);
      await store.save(state('c2'), 120);
      await store.claimAffinity('CA-2', 'node-a', 60);
      const ttl = await redis.ttl(store.sessionKey('c2'));
      expect(ttl).toBeGreaterThan(100);
      expect(ttl).toBeLessThanOrEqual(120);
      expect(await redis.ttl(store.affinityKey('CA-2'))).toBeGreaterThan(50);
      await redis.set(store.sessionKey('bad'), '{"v":2}');
      await expect(store.load('bad')).rejects.toThrow(/not a call session state/);
    });
  }
});
