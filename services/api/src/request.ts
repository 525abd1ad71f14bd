import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError, parseOrThrow } from '@cc/core';

/** The JSON body validated against `schema`; malformed JSON or a wrong content type is a 400 that says so. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ValidationError('request', [{ path: 'content-type', message: `expected application/json, got ${type || 'none'}` }]);
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ValidationError('request body', [{ path: '', message: 'is not valid JSON' }]);
  }
  return parseOrThrow(schema, body, 'request body');
}

/** Query-string parameters validated against `schema` (values arrive as strings: use z.coerce). */
export function queryParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseOrThrow(schema, c.req.query(), 'query parameters');
}
