import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';

/** drizzle's own bookkeeping table, read to report which migrations a run applied. */
export const appliedMigrationsTable = pgSchema('drizzle').table('__drizzle_migrations', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});
