import { timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Timestamps keep millisecond precision: that is what a JS Date holds, so a value read back and used
 * as a pagination cursor compares equal to the stored one.
 */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const createdAt = () => timestamptz('created_at').notNull().defaultNow();
export const updatedAt = () => timestamptz('updated_at').notNull().defaultNow();

export const primaryId = () => uuid('id').primaryKey().defaultRandom();
