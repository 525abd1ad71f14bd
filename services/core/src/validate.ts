import type { z } from 'zod';
import { ValidationError, type ErrorContext, type FieldIssue } from './errors.ts';

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parse `input` with `schema`, throwing a ValidationError that names `what` and each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, context?: ErrorContext): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(what, zodIssues(result.error), context);
  return result.data;
}
