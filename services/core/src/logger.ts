import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: opts.name ? { svc: opts.name } : {},
    // Secrets and personal data never reach the log, whatever a caller passes in.
    redact: {
      paths: ['password', '*.password', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'callerId', '*.callerId'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
