import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.ts';

/**
 * One validated config module. Every setting has an environment variable, a default that runs the
 * platform on one machine (embedded stores), and a fix that is shown when the value is wrong.
 */
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).default(fallback ? 'true' : 'false').transform((v) => ['true', '1', 'yes'].includes(v));
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.includes(new URL(v).protocol), { message: `must use ${protocols.join(' or ')}` })
    .optional();

export const settings = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']).default('development'), fix: 'use development, production or test' },
  HOST: { schema: z.string().min(1).default('127.0.0.1'), fix: 'set an interface address such as 127.0.0.1 or 0.0.0.0' },
  API_PORT: { schema: port(8080), fix: 'use a free TCP port number (0-65535; 0 picks one)' },
  VOICE_PORT: { schema: port(8081), fix: 'use a free TCP port number (0-65535; 0 picks one)' },
  WEB_PORT: { schema: port(3000), fix: 'use a free TCP port number (0-65535; 0 picks one)' },
  DATA_DIR: { schema: z.string().min(1).default('./data'), fix: 'set a writable directory for embedded stores' },
  DATABASE_URL: { schema: url(['postgres:', 'postgresql:']), fix: 'use postgres://user:password@host:5432/db, or unset it for embedded PGlite' },
  CLICKHOUSE_URL: { schema: url(['http:', 'https:']), fix: 'use http(s)://user:password@host:8123, or unset it for embedded chDB' },
  CLICKHOUSE_DATABASE: { schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('cc'), fix: 'use a plain identifier such as cc' },
  REDIS_URL: { schema: url(['redis:', 'rediss:']), fix: 'use redis://host:6379, or unset it to start a local redis-server' },
  REDIS_SERVER_BIN: { schema: z.string().min(1).default('redis-server'), fix: 'point to a redis-server binary (apt-get install redis-server)' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), fix: 'use one of fatal, error, warn, info, debug, trace, silent' },
  SECRET_KEY: { schema: z.string().min(32).optional(), fix: 'use at least 32 random characters, or unset it to generate one under DATA_DIR' },
  COOKIE_SECURE: { schema: z.enum(['auto', 'true', 'false']).default('auto'), fix: 'use auto (Secure unless served on loopback), true or false' },
  VOICE_MAX_CALLS: { schema: z.coerce.number().int().min(1).max(10_000).default(50), fix: 'use the number of concurrent calls this process may take (1-10000)' },
  SEED_DEMO: { schema: bool(true), fix: 'use true or false' },
  WORKER_CONCURRENCY: { schema: z.coerce.number().int().min(1).max(256).default(4), fix: 'use a whole number between 1 and 256' },
  SHUTDOWN_TIMEOUT_MS: { schema: z.coerce.number().int().min(100).max(600_000).default(15_000), fix: 'use milliseconds between 100 and 600000' },
  METRICS_TOKEN: { schema: z.string().min(16).optional(), fix: 'use at least 16 random characters (Prometheus sends it as a Bearer token), or unset it to allow loopback scrapes only' },
  ANTHROPIC_API_KEY: { schema: z.string().min(1).optional(), fix: 'set a Claude API key, or unset it to use the deterministic policy' },
  ANTHROPIC_BASE_URL: { schema: url(['http:', 'https:']), fix: 'use the Messages API base URL, or unset it for the default' },
  ANTHROPIC_MODEL: { schema: z.string().min(1).default('claude-sonnet-4-5'), fix: 'use a Claude model id' },
} satisfies Record<string, { schema: z.ZodType; fix: string }>;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** Read and validate every setting; a bad one stops the start with the variable's name and its fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, { schema, fix }] of Object.entries(settings)) {
    const raw = env[name];
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (result.success) out[name] = result.data;
    else issues.push({ variable: name, problem: `${JSON.stringify(raw)} is invalid (${result.error.issues.map((i) => i.message).join(', ')})`, fix });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as Config;
}

export function describeStores(config: Config): { postgres: string; clickhouse: string; redis: string } {
  return {
    postgres: config.DATABASE_URL ? 'postgresql server (DATABASE_URL)' : 'embedded PGlite',
    clickhouse: config.CLICKHOUSE_URL ? 'clickhouse server (CLICKHOUSE_URL)' : 'embedded chDB',
    redis: config.REDIS_URL ? 'redis server (REDIS_URL)' : 'local redis-server',
  };
}
