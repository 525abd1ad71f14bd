import { StoreUnavailableError } from '@cc/core';

// Connection-level failures of postgres.js / node sockets and the SQLSTATE classes that mean "the
// server is not there right now" (08: connection exception, 57P0x: shutting down / cannot connect).
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03']);

/**
 * A store failure buried in a driver error (drizzle wraps the driver's error as `cause`), turned into a
 * StoreUnavailableError so the API answers 503 with a reason instead of 500.
 */
export function asStoreUnavailable(err: unknown): StoreUnavailableError | null {
  if (err instanceof StoreUnavailableError) return err;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '');
    const message = e instanceof Error ? e.message : '';
    if (CONNECTION_CODES.has(code) || code.startsWith('08') || /PGlite is closed|database is closed/i.test(message)) {
      return new StoreUnavailableError('postgres', `the database did not answer (${code || message})`, err);
    }
  }
  return null;
}
