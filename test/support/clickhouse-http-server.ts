import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Session } from 'chdb';

/**
 * A stand-in for clickhouse-server (which Debian 12 does not package): enough of the ClickHouse HTTP
 * interface for @clickhouse/client, answered by chDB. It runs in a child process because libchdb
 * binds one data directory per process, and the tests beside it open embedded chDB stores too.
 *
 * Speaks: /ping, `query` in the URL or the body, `database`, `default_format` and FORMAT clauses,
 * `param_<name>` bound parameters, settings as URL parameters (applied to reads and inserts, ignored
 * for DDL), INSERT ... FORMAT <fmt> with the data in the body, gzip request bodies, errors as HTTP 500
 * with the ClickHouse error text and X-ClickHouse-Exception-Code. Not: multipart parameters,
 * sessions, Tuple/Map parameters, response compression, progress headers.
 */
export interface ClickHouseHttpServer {
  url: string;
  stop(): Promise<void>;
}

const CHILD_FLAG = 'CC_CLICKHOUSE_HTTP_SERVER_CHILD';
const START_TIMEOUT_MS = 30_000;

export async function startClickHouseHttpServer(): Promise<ClickHouseHttpServer> {
  const file = fileURLToPath(import.meta.url);
  const repoRoot = join(dirname(file), '..', '..');
  const child = fork(file, [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CHILD_FLAG]: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ClickHouse HTTP test server did not start within ${START_TIMEOUT_MS} ms: ${output}`));
    }, START_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve((message as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ClickHouse HTTP test server exited with code ${code}: ${output}`));
    });
  });
  return { url, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---- the server, in the child process ----

/** URL parameters that are part of the HTTP interface, not settings; http_* and these are not applied. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'role', 'user', 'password', 'compress', 'decompress', 'buffer_size', 'wait_end_of_query', 'enable_http_compression', 'send_progress_in_http_headers']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const READ_STATEMENT = /^\s*\(?\s*(SELECT|WITH|SHOW|DESC|DESCRIBE|EXISTS|EXPLAIN)\b/i;
const INSERT_WITH_FORMAT = /^\s*INSERT\s+INTO\s+([A-Za-z0-9_.]+)\s*(?:\(([^)]*)\))?\s*FORMAT\s+([A-Za-z]+)[ \t]*\r?\n?([\s\S]*)$/i;
const TSV_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0' };

interface Reply {
  body: string | Uint8Array;
  format: string;
  summary: Record<string, string>;
}

async function serveInThisProcess(): Promise<void> {
  const { Session: ChdbSession } = await import('chdb');
  const dir = mkdtempSync(join(tmpdir(), 'cc-chdb-http-'));
  const session = new ChdbSession(dir);
  let currentDatabase = 'default';
  let queue: Promise<unknown> = Promise.resolve();
  // One statement at a time: `USE <database>` is session state shared by all requests.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const useDatabase = async (database: string) => {
    if (!IDENTIFIER.test(database)) throw new Error(`Bad database name ${JSON.stringify(database)}`);
    if (database === currentDatabase) return;
    await session.queryAsync(`USE ${database}`);
    currentDatabase = database;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (url.pathname === '/ping') return send(res, 200, 'Ok.\n');
    if (url.pathname !== '/') return sendError(res, new Error(`Unknown path ${url.pathname}`), 404);
    if ((req.headers['content-type'] ?? '').startsWith('multipart/')) throw new Error('multipart query parameters are not supported by the test endpoint');
    const query = url.searchParams.get('query');
    if (!query && !body) return send(res, 200, 'Ok.\n');
    const reply = await exclusive(async () => {
      await useDatabase(url.searchParams.get('database') ?? 'default');
      return execute(session, url.searchParams, query, body);
    });
    const json = reply.format.startsWith('JSON');
    send(res, 200, reply.body, {
      'Content-Type': json ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8',
      'X-ClickHouse-Format': reply.format,
      'X-ClickHouse-Query-Id': url.searchParams.get('query_id') ?? '',
      'X-ClickHouse-Summary': JSON.stringify(reply.summary),
    });
  }

  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  const shutdown = () => {
    server.closeAllConnections();
    server.close();
    session.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.once('disconnect', shutdown);
}

async function execute(session: Session, search: URLSearchParams, query: string | null, body: string): Promise<Reply> {
  const settings = settingsFrom(search);
  const insert = INSERT_WITH_FORMAT.exec(query ?? body);
  if (insert) {
    const [, table, columns, format, inlineData] = insert;
    const data = query ? [inlineData, body].filter(Boolean).join('\n') : (inlineData ?? '');
    if (data.trim() === '') return { body: '', format: format!, summary: summary(0) };
    const result = await session.insert({
      table: table!,
      values: data,
      format: format as 'JSONEachRow',
      ...(columns ? { columns: columns.split(',').map((c) => c.trim()) } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
    return { body: '', format: format!, summary: summary(result.rowsWritten) };
  }

  let sql = (query ? [query, body].filter(Boolean).join('\n') : body).trim().replace(/;\s*$/, '');
  let format = search.get('default_format') ?? 'TabSeparated';
  const formatClause = /\s+FORMAT\s+([A-Za-z0-9_]+)\s*$/i.exec(sql);
  if (formatClause) {
    format = formatClause[1]!;
    sql = sql.slice(0, formatClause.index);
  }
  const settingList = Object.entries(settings).map(([name, value]) => `${name} = ${typeof value === 'number' ? value : quote(value)}`);
  if (settingList.length > 0 && READ_STATEMENT.test(sql)) {
    sql += /\bSETTINGS\s+[^()]*$/i.test(sql) ? `, ${settingList.join(', ')}` : `\nSETTINGS ${settingList.join(', ')}`;
  }
  const params = paramsFrom(search, sql);
  const result = params ? await session.queryBindAsync(sql, params, { format }) : await session.queryAsync(sql, { format });
  return { body: result.bytes(), format, summary: summary(0, result.rowsRead) };
}

function settingsFrom(search: URLSearchParams): Record<string, string | number> {
  const settings: Record<string, string | number> = {};
  for (const [name, value] of search) {
    if (NOT_SETTINGS.has(name) || name.startsWith('param_') || name.startsWith('http_')) continue;
    if (!IDENTIFIER.test(name)) throw new Error(`Bad setting name ${JSON.stringify(name)}`);
    settings[name] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return settings;
}

/**
 * `param_<name>` values arrive in ClickHouse's text-escaped form. chDB escapes the values it is
 * given, so they are decoded first, by the type declared in the query's `{name:Type}` placeholder.
 */
function paramsFrom(search: URLSearchParams, sql: string): Record<string, unknown> | undefined {
  let params: Record<string, unknown> | undefined;
  for (const [key, raw] of search) {
    if (!key.startsWith('param_')) continue;
    const name = key.slice('param_'.length);
    const declared = new RegExp(`\\{\\s*${name.replace(/\W/g, '\\$&')}\\s*:\\s*([^}]+)\\}`).exec(sql)?.[1] ?? 'String';
    let type = declared.trim();
    while (/^(Nullable|LowCardinality)\(/.test(type)) type = type.replace(/^\w+\((.*)\)$/, '$1');
    params ??= {};
    params[name] = raw === '\\N' ? null : type.startsWith('Array(') ? parseArrayLiteral(raw) : raw.replace(/\\([\s\S])/g, (_, c: string) => TSV_ESCAPES[c] ?? c);
  }
  return params;
}

/** `['a\'b', NULL, 1, [2]]` -> ['a\'b', null, 1, [2]] */
function parseArrayLiteral(text: string): unknown {
  let i = 0;
  const skipSpace = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): unknown => {
    skipSpace();
    if (text[i] === '[') {
      i++;
      const items: unknown[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        skipSpace();
        const sep = text[i++];
        if (sep === ']') return items;
        if (sep !== ',') throw new Error(`Cannot parse array parameter ${text}`);
      }
    }
    if (text[i] === "'") {
      let out = '';
      for (i++; i < text.length && text[i] !== "'"; i++) {
        if (text[i] === '\\') out += TSV_ESCAPES[text[++i]!] ?? text[i];
        else out += text[i];
      }
      i++;
      return out;
    }
    const token = /^[^,\]\s]+/.exec(text.slice(i))?.[0] ?? '';
    i += token.length;
    if (/^null$/i.test(token)) return null;
    if (/^(true|false)$/i.test(token)) return token.toLowerCase() === 'true';
    const number = Number(token);
    if (token === '' || Number.isNaN(number)) throw new Error(`Cannot parse array parameter ${text}`);
    return Number.isInteger(number) && !Number.isSafeInteger(number) ? BigInt(token) : number;
  };
  return value();
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function summary(writtenRows: number, readRows = 0): Record<string, string> {
  return { read_rows: String(readRows), read_bytes: '0', written_rows: String(writtenRows), written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: '0' };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, err: unknown, status = 500): void {
  const { clickhouseCode } = (err ?? {}) as { clickhouseCode?: unknown };
  const code = typeof clickhouseCode === 'number' ? clickhouseCode : 1001;
  let message = err instanceof Error ? err.message : String(err);
  if (!/Code: \d+\./.test(message)) message = `Code: ${code}. DB::Exception: ${message}. (STD_EXCEPTION)`;
  if (res.headersSent) return void res.destroy();
  send(res, status, `${message}\n`, { 'X-ClickHouse-Exception-Code': String(code) });
}

if (process.env[CHILD_FLAG] === '1') void serveInThisProcess();
