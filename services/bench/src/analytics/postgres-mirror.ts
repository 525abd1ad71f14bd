import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Database } from '@cc/store/postgres';
import type { SyntheticBatch } from './synthetic.ts';

const sqlDir = new URL('../../sql/', import.meta.url);
const readSql = (name: string) => readFileSync(new URL(name, sqlDir), 'utf8');

/** Named queries from postgres-queries.sql (`-- name: x` headers). */
export function postgresQueries(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of readSql('postgres-queries.sql').split(/^-- name: /m).slice(1)) {
    const [name, ...body] = block.split('\n');
    out[name!.trim()] = body.join('\n').trim().replace(/;$/, '');
  }
  return out;
}

async function runScript(db: Database, file: string) {
  for (const stmt of readSql(file).split(/;\s*$/m).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean)) {
    await db.execute(sql.raw(stmt));
  }
}

export const createMirror = (db: Database) => runScript(db, 'postgres-mirror.sql');
export const indexMirror = (db: Database) => runScript(db, 'postgres-indexes.sql');

/** Rows go in as one JSON parameter per table and batch: bound, and fast on both drivers. */
export async function insertMirror(db: Database, batch: SyntheticBatch): Promise<number> {
  const tables: [string, object[]][] = [
    ['turns', batch.turns],
    ['stage_latency', batch.stageLatency],
    ['call_events', batch.events.map((e) => ({ ...e, payload: JSON.parse(e.payload) }))],
    ['scores', batch.scores.map((s) => ({ ...s, details: JSON.parse(s.details) }))],
  ];
  let rows = 0;
  for (const [table, data] of tables) {
    if (data.length === 0) continue;
    await db.execute(sql`insert into ${sql.identifier('bench')}.${sql.identifier(table)} select * from jsonb_populate_recordset(null::${sql.identifier('bench')}.${sql.identifier(table)}, ${JSON.stringify(data)}::jsonb)`);
    rows += data.length;
  }
  return rows;
}
