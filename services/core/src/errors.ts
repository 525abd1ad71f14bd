/**
 * Typed errors that carry context. Every boundary maps them to a clear message:
 * the API to an RFC 9457 problem document, the CLI to a one-line explanation.
 */
export type ErrorContext = Record<string, unknown>;

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly context: ErrorContext;

  constructor(code: string, message: string, opts: { status?: number; context?: ErrorContext; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status ?? 500;
    this.context = opts.context ?? {};
  }
}

export interface ConfigIssue {
  variable: string;
  problem: string;
  fix: string;
}

export class ConfigError extends AppError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.variable}: ${i.problem}. Fix: ${i.fix}`);
    super('config_invalid', `Invalid configuration:\n${lines.join('\n')}`, { context: { issues } });
    this.issues = issues;
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly issues: FieldIssue[];
  constructor(what: string, issues: FieldIssue[], context: ErrorContext = {}) {
    const detail = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super('validation_failed', `Invalid ${what}: ${detail}`, { status: 400, context: { ...context, issues } });
    this.issues = issues;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} not found`, { status: 404, context: { what, id } });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, context: ErrorContext = {}) {
    super('conflict', message, { status: 409, context });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required: send an API key (Authorization: Bearer <key>) or sign in') {
    super('unauthenticated', message, { status: 401 });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, context: ErrorContext = {}) {
    super('forbidden', message, { status: 403, context });
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super('rate_limited', message, { status: 429, context: { retryAfterSeconds } });
  }
}

/** A store (Postgres, ClickHouse, Redis) could not be reached or answered with an error. */
export class StoreUnavailableError extends AppError {
  constructor(store: string, message: string, cause?: unknown) {
    super('store_unavailable', `${store} unavailable: ${message}`, { status: 503, context: { store }, cause });
  }
}

export class MigrationError extends AppError {
  constructor(store: string, migration: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('migration_failed', `${store} migration ${migration} failed and was rolled back: ${reason}`, {
      context: { store, migration },
      cause,
    });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
