import type { Redis } from 'ioredis';
import type { AsrGrammar } from '../asr/asr-provider.ts';

/**
 * A call's serialisable state: enough for another node to pick the conversation up (who called,
 * what was said — redacted — where the policy is). Saved after every turn with a TTL, so a call
 * that vanishes without an end does not leave state behind.
 */
export interface CallSessionState {
  v: 1;
  callId: string;
  tenantId: string;
  connector: string;
  externalCallId: string;
  /** The node running the call. */
  nodeId: string;
  status: 'active' | 'ended';
  startedAt: string;
  updatedAt: string;
  /** Turn rows recorded so far. */
  turns: number;
  /** Redacted transcript, the last `HISTORY_LIMIT` turns. */
  history: { speaker: 'caller' | 'agent'; text: string; intent?: string }[];
  policyState: Record<string, unknown>;
  /** Grammar the next caller turn is recognised with. */
  grammar?: AsrGrammar;
  outcome?: string;
}

export const HISTORY_LIMIT = 40;

export function serializeSession(state: CallSessionState): string {
  return JSON.stringify(state);
}

export function parseSession(json: string): CallSessionState {
  const v = JSON.parse(json) as Partial<CallSessionState> | null;
  if (!v || typeof v !== 'object' || v.v !== 1 || typeof v.callId !== 'string' || typeof v.tenantId !== 'string' || !Array.isArray(v.history) || typeof v.policyState !== 'object') {
    throw new Error('not a call session state (v1)');
  }
  return v as CallSessionState;
}

export interface SessionStore {
  save(state: CallSessionState, ttlSeconds?: number): Promise<void>;
  load(callId: string): Promise<CallSessionState | undefined>;
  delete(callId: string): Promise<void>;
  /**
   * Session affinity: the node that owns `key` (usually the CCaaS call id, so a reconnecting stream
   * lands where its call runs). Claims it for `nodeId` when nobody holds it; returns the owner.
   */
  claimAffinity(key: string, nodeId: string, ttlSeconds?: number): Promise<string>;
  releaseAffinity(key: string, nodeId: string): Promise<void>;
}

export const DEFAULT_SESSION_TTL_S = 3600;

/** Redis: `<prefix>:session:<callId>` (JSON, TTL) and `<prefix>:affinity:<key>` (node id, TTL). */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cc:voice',
  ) {}

  sessionKey(callId: string): string {
    return `${this.prefix}:session:${callId}`;
  }

  affinityKey(key: string): string {
    return `${this.prefix}:affinity:${key}`;
  }

  async save(state: CallSessionState, ttlSeconds = DEFAULT_SESSION_TTL_S): Promise<void> {
    await this.redis.set(this.sessionKey(state.callId), serializeSession(state), 'EX', ttlSeconds);
  }

  async load(callId: string): Promise<CallSessionState | undefined> {
    const json = await this.redis.get(this.sessionKey(callId));
    return json === null ? undefined : parseSession(json);
  }

  async delete(callId: string): Promise<void> {
    await this.redis.del(this.sessionKey(callId));
  }

  async claimAffinity(key: string, nodeId: string, ttlSeconds = DEFAULT_SESSION_TTL_S): Promise<string> {
    const k = this.affinityKey(key);
    // Claim when free; refresh the TTL when we already own it; otherwise report the owner.
    const owner = (await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1])
       if not cur then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return ARGV[1] end
       if cur == ARGV[1] then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
       return cur`,
      1,
      k,
      nodeId,
      String(ttlSeconds),
    )) as string;
    return owner;
  }

  async releaseAffinity(key: string, nodeId: string): Promise<void> {
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`, 1, this.affinityKey(key), nodeId);
  }
}

/** In-process store (one node, tests). Honours TTLs lazily, on read. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { json: string; until: number }>();
  private readonly affinity = new Map<string, { node: string; until: number }>();

  async save(state: CallSessionState, ttlSeconds = DEFAULT_SESSION_TTL_S): Promise<void> {
    this.sessions.set(state.callId, { json: serializeSession(state), until: Date.now() + ttlSeconds * 1000 });
  }

  async load(callId: string): Promise<CallSessionState | undefined> {
    const e = this.sessions.get(callId);
    if (!e || e.until <= Date.now()) return undefined;
    return parseSession(e.json);
  }

  async delete(callId: string): Promise<void> {
    this.sessions.delete(callId);
  }

  async claimAffinity(key: string, nodeId: string, ttlSeconds = DEFAULT_SESSION_TTL_S): Promise<string> {
    const cur = this.affinity.get(key);
    if (cur && cur.until > Date.now() && cur.node !== nodeId) return cur.node;
    this.affinity.set(key, { node: nodeId, until: Date.now() + ttlSeconds * 1000 });
    return nodeId;
  }

  async releaseAffinity(key: string, nodeId: string): Promise<void> {
    if (this.affinity.get(key)?.node === nodeId) this.affinity.delete(key);
  }
}
