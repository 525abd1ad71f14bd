import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, RateLimitedError, ValidationError, errorMessage, type Logger } from '@cc/core';
import { asStoreUnavailable } from './unavailable.ts';

/** RFC 9457 problem document. Never carries a stack trace. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(c: Context, status: number, code: string, detail: string, extra: Partial<Problem> = {}): Response {
  const body: Problem = { type: `urn:cc:problem:${code}`, title: titles[status] ?? 'Error', status, detail, instance: c.req.path, ...extra };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'content-type': 'application/problem+json' });
}

export function toProblemResponse(c: Context, thrown: unknown, logger: Logger): Response {
  const err = asStoreUnavailable(thrown) ?? thrown;
  if (err instanceof ValidationError) return problem(c, 400, err.code, err.message, { errors: err.issues });
  if (err instanceof RateLimitedError) {
    c.header('retry-after', String(err.retryAfterSeconds));
    return problem(c, 429, err.code, err.message);
  }
  if (err instanceof AppError && err.status < 500) return problem(c, err.status, err.code, err.message);
  if (err instanceof AppError && err.status === 503) {
    logger.warn({ err: err.message, path: c.req.path }, 'dependency unavailable');
    c.header('retry-after', '5');
    return problem(c, 503, err.code, err.message);
  }
  if (err instanceof HTTPException) return problem(c, err.status, 'http_error', err.message || titles[err.status] || 'Error');
  logger.error({ err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined, path: c.req.path }, 'unhandled error');
  return problem(c, 500, 'internal', 'An unexpected error occurred; it has been logged.');
}
