import type { LogFn, Logger, LoggerOptions } from 'pino';
import { redactDeep } from './deep.ts';
import { redact } from './redact.ts';

/**
 * Pino hooks that keep personal and payment data out of log lines:
 * - `hooks.logMethod` redacts the message and its interpolation arguments (and the message pino
 *   takes from a logged Error),
 * - `formatters.log` redacts the logged object (every string leaf, sensitive keys wholesale),
 * - `formatters.bindings` redacts child-logger bindings.
 * Pino's own `redact` paths (secrets by path) stay in force next to these.
 */

/** A serializer for any value: `redactDeep`. Use as `serializers: { body: redactingLogSerializer }`. */
export function redactingLogSerializer(value: unknown): unknown {
  return redactDeep(value);
}

/** An Error of the same class with its message, stack, cause and own fields redacted. */
export function redactError(err: Error): Error {
  try {
    const copy = new Error(redact(err.message).text) as Error & Record<string, unknown>;
    Object.setPrototypeOf(copy, Object.getPrototypeOf(err) as object);
    Object.defineProperty(copy, 'name', { value: err.name, enumerable: false, configurable: true, writable: true });
    if (typeof err.stack === 'string') copy.stack = redact(err.stack).text;
    if (err.cause !== undefined) copy.cause = err.cause instanceof Error ? redactError(err.cause) : redactDeep(err.cause);
    for (const k of Object.keys(err)) {
      if (k === 'message' || k === 'stack' || k === 'cause') continue;
      copy[k] = redactDeep((err as unknown as Record<string, unknown>)[k], { sensitiveKeys: [] });
    }
    return copy;
  } catch {
    return new Error('[REDACTED]');
  }
}

function redactArg(arg: unknown): unknown {
  if (typeof arg === 'string') return redact(arg).text;
  if (arg instanceof Error) return redactError(arg);
  return arg;
}

/** `formatters.log`: the merged log object, redacted. */
export function redactingLogFormatter(object: Record<string, unknown>): Record<string, unknown> {
  return redactDeep(object);
}

/** `formatters.bindings`: child-logger bindings, redacted. */
export function redactingBindingsFormatter(bindings: Record<string, unknown>): Record<string, unknown> {
  return redactDeep(bindings);
}

/** `hooks.logMethod`: redacts the message and interpolation arguments before pino formats them. */
export function redactingLogMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const list = args as unknown[];
  const out = list.map((a, i) => {
    // `logger.error({ err }, ...)` without a message: pino takes the message from err.message.
    if (i === 0 && a !== null && typeof a === 'object' && !(a instanceof Error)) {
      const errValue = (a as Record<string, unknown>).err;
      if (errValue instanceof Error) return { ...(a as Record<string, unknown>), err: redactError(errValue) };
      return a;
    }
    return redactArg(a);
  });
  (method as (...a: unknown[]) => void).apply(this, out);
}

/**
 * Pino runs `formatters.bindings` for the root logger's base only, not for `logger.child(bindings)`:
 * this makes every child (and grandchild) of `logger` get its bindings redacted. Returns `logger`.
 */
export function redactChildBindings<L extends Logger>(logger: L): L {
  const original = logger.child;
  const patched = function (this: Logger, bindings: Record<string, unknown>, options?: unknown) {
    return (original as unknown as (b: unknown, o?: unknown) => Logger).call(this, redactDeep(bindings ?? {}), options);
  };
  Object.defineProperty(logger, 'child', { value: patched, writable: true, configurable: true, enumerable: false });
  return logger;
}

/** The options to merge into `pino({...})` for redacting logs (and wrap the logger with `redactChildBindings`). */
export function redactingPinoOptions(): Pick<LoggerOptions, 'hooks' | 'formatters'> {
  return {
    hooks: { logMethod: redactingLogMethod },
    formatters: { log: redactingLogFormatter, bindings: redactingBindingsFormatter },
  };
}
