import type { Redis } from 'ioredis';
import type { Config, Logger, Role } from '@cc/core';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import type { DatabaseHandle } from '@cc/store/postgres';
import type { JobQueues } from '@cc/queue';

/** Everything the API needs, passed in so tests and the platform wire real stores the same way. */
export interface ApiDeps {
  config: Config;
  logger: Logger;
  db: DatabaseHandle;
  analytics: AnalyticsStore;
  redis: Redis;
  queues: JobQueues;
  secretKey: string;
  /** The voice runtime, when this process runs one: the console's softphone gets call tokens here. */
  voice?: { url: string; issueCallToken(tenantId: string): string };
}

/** Who is calling: a signed-in user (session cookie) or an API key. */
export interface Principal {
  tenantId: string;
  role: Role;
  actorType: 'user' | 'api_key';
  actorId: string;
  userId: string | null;
}

export type ApiEnv = {
  Variables: {
    principal: Principal;
    requestId: string;
  };
};
