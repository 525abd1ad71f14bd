import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.ts';

describe('chDB-backed ClickHouse HTTP test endpoint', () => {
  let server: ClickHouseHttpServer;
  let client: ClickHouseClient;
  const clients: ClickHouseClient[] = [];
  const connect = (database?: string) => {
    const c = createClient({ url: server.url, ...(database ? { database } : {}), log: { level: ClickHouseLogLevel.OFF } });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startClickHouseHttpServer();
    client = connect();
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await server?.stop();
  });

  it('answers /ping and SELECT 1 in the URL', async () => {
    expect(await (await fetch(`${server.url}/ping`)).text()).toBe('Ok.\n');
    expect(await (await fetch(`${server.url}/?query=SELECT%201`)).text()).toBe('1\n');
    expect(await client.ping()).toEqual({ success: true });
  });

  it('honours FORMAT clauses and default_format', async () => {
    expect(await (await fetch(server.url, { method: 'POST', body: 'SELECT 1 AS x FORMAT JSONEachRow' })).text()).toBe('{"x":1}\n');
    expect(await (await fetch(`${server.url}/?default_format=CSV`, { method: 'POST', body: "SELECT 'a' AS x" })).text()).toBe('"a"\n');
  });

  it('binds param_<name> values of the declared types, hostile strings included', async () => {
    const hostile = "it's \\ a\ttab\n'); DROP TABLE x; --";
    const result = await client.query({
      query: "SELECT {s:String} AS s, {a:Array(String)} AS a, {n:UInt32} + 1 AS n, {d:DateTime64(3, 'UTC')} AS d, {z:Nullable(String)} AS z",
      format: 'JSONEachRow',
      query_params: { s: hostile, a: [hostile, 'b'], n: 41, d: new Date('2026-10-01T10:00:00.123Z'), z: null },
      clickhouse_settings: { date_time_output_format: 'iso' },
    });
    expect(await result.json()).toEqual([{ s: hostile, a: [hostile, 'b'], n: 42, d: '2026-10-01T10:00:00.123Z', z: null }]);
  });

  it('inserts into the requested database, deduplicating by insert_deduplication_token', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS endpoint_test' });
    const db = connect('endpoint_test');
    await db.command({ query: 'CREATE TABLE t (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
    for (const token of ['a', 'a', 'b']) {
      await db.insert({ table: 't', values: [{ id: 1 }, { id: 2 }], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: token, async_insert: 0 } });
    }
    const count = async (quote: 0 | 1) =>
      (await (await db.query({ query: 'SELECT count() AS n FROM t', format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: quote } })).json<{ n: unknown }>())[0]?.n;
    expect(await count(0)).toBe(4);
    expect(await count(1)).toBe('4');
  });

  it('returns errors as HTTP 500 with the exception code, which the client raises', async () => {
    const response = await fetch(server.url, { method: 'POST', body: 'SELECT * FROM no_such_table' });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('60');
    const failure = client.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' });
    await expect(failure).rejects.toBeInstanceOf(ClickHouseError);
    await expect(failure).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
  });
});
