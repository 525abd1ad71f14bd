import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactChildBindings, redactingPinoOptions } from './redaction/log.ts';

export type { Logger };

/** The options `createLogger` hands to pino (exported so tests can point them at a stream). */
export function loggerOptions(opts: { level?: string; name?: string } = {}): LoggerOptions {
  return {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: opts.name ? { svc: opts.name } : {},
    // Secrets and personal data never reach the log, whatever a caller passes in.
    redact: {
      paths: ['password', '*.password', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'callerId', '*.callerId'],
      censor: '[redacted]',
    },
    // …and card numbers, emails, phone numbers, SSNs, addresses in messages and fields (services/core/src/redaction).
    ...redactingPinoOptions(),
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return redactChildBindings(pino(loggerOptions(opts)));
}
