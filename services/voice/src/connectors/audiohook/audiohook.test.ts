import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulawToPcm16, pcm16ToMulaw } from '../../audio/mulaw.ts';
import { CallRecorder, fsddRecording, startTestServer, TestClient, until, type TestServer } from '../testing.ts';
import { clientSecretFromBase64, type AudioHookCredentialStore } from './auth.ts';
import { verifyHttpSignature } from './http-signature.ts';
import { formatDuration, NULL_UUID, parseDuration } from './protocol.ts';
import type { AudioHookSession } from './session.ts';
import { parseDictionary, serializeInnerList } from './structured-fields.ts';

/**
 * The client side of RFC 9421 as Genesys applies it to the AudioHook upgrade request: covered
 * components in order, each line `"<component>": <value>`, then the `@signature-params` line with the
 * serialised inner list; HMAC-SHA256 keyed with the decoded client secret; keyid = API key.
 */
function signRequest(opts: {
  url: string;
  apiKey: string;
  secret: Uint8Array;
  headers: Record<string, string>;
  created?: number;
  expires?: number;
  nonce?: string;
  authorityComponent?: '@authority' | 'host';
}): Record<string, string> {
  const u = new URL(opts.url);
  const created = opts.created ?? Math.floor(Date.now() / 1000);
  const components: [string, string][] = [
    ['@request-target', u.pathname + u.search],
    [opts.authorityComponent ?? '@authority', u.host],
    ['audiohook-organization-id', opts.headers['Audiohook-Organization-Id']!],
    ['audiohook-session-id', opts.headers['Audiohook-Session-Id']!],
    ['audiohook-correlation-id', opts.headers['Audiohook-Correlation-Id']!],
    ['x-api-key', opts.apiKey],
  ];
  const params = `;keyid="${opts.apiKey}";nonce="${opts.nonce ?? randomBytes(18).toString('base64')}";alg="hmac-sha256";created=${created};expires=${opts.expires ?? created + 30}`;
  const signatureParams = `(${components.map(([name]) => `"${name}"`).join(' ')})${params}`;
  const base = [...components.map(([name, value]) => `"${name}": ${value}`), `"@signature-params": ${signatureParams}`].join('\n');
  const signature = createHmac('sha256', opts.secret).update(base).digest('base64');
  return { 'Signature-Input': `sig1=${signatureParams}`, Signature: `sig1=:${signature}:` };
}

// The example credentials from the AudioHook protocol documentation.
const DOC_API_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const DOC_SECRET = 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=';

describe('HTTP message signatures (RFC 9421)', () => {
  it('verifies the RFC 9421 HMAC-SHA256 example (B.2.5)', async () => {
    const result = await verifyHttpSignature(
      {
        method: 'POST',
        target: '/foo?param=Value&Pet=dog',
        authority: 'example.com',
        scheme: 'https',
        headers: {
          date: 'Tue, 20 Apr 2021 02:07:55 GMT',
          'content-type': 'application/json',
          'signature-input': 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
          signature: 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
        },
      },
      {
        now: 1618884473,
        resolveKey: () => ({ key: Buffer.from('uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==', 'base64'), known: true }),
      },
    );
    expect(result).toMatchObject({ ok: true, label: 'sig-b25', params: { keyid: 'test-shared-secret', created: 1618884473 } });
  });

  const docRequest = (signature: string, sessionId = '30b0e395-84d3-4570-ac13-9a62d8f514c0') => ({
    method: 'GET',
    target: '/api/v1/voicebiometrics/ws',
    authority: 'audiohook.example.com',
    scheme: 'https' as const,
    headers: {
      'audiohook-organization-id': 'd7934305-0972-4844-938e-9060eef73d05',
      'audiohook-session-id': sessionId,
      'audiohook-correlation-id': 'e160e428-53e2-487c-977d-96989bf5c99d',
      'x-api-key': DOC_API_KEY,
      'signature-input':
        'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430',
      signature,
    },
  });
  const docKey = () => ({ key: clientSecretFromBase64(DOC_SECRET), known: true });

  it('verifies the AudioHook documentation example, and our signer reproduces it', async () => {
    const sig = 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:';
    expect(await verifyHttpSignature(docRequest(sig), { now: 1641013200, resolveKey: docKey })).toMatchObject({ ok: true });
    const signed = signRequest({
      url: 'wss://audiohook.example.com/api/v1/voicebiometrics/ws',
      apiKey: DOC_API_KEY,
      secret: clientSecretFromBase64(DOC_SECRET),
      headers: {
        'Audiohook-Organization-Id': 'd7934305-0972-4844-938e-9060eef73d05',
        'Audiohook-Session-Id': '30b0e395-84d3-4570-ac13-9a62d8f514c0',
        'Audiohook-Correlation-Id': 'e160e428-53e2-487c-977d-96989bf5c99d',
      },
      created: 1641013200,
      expires: 3282026430,
      nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
    });
    expect(signed.Signature).toBe(sig);
    // With the `host` header covered instead of @authority, the reference implementation's expected value.
    const withHost = signRequest({
      url: 'wss://audiohook.example.com/api/v1/voicebiometrics/ws',
      apiKey: DOC_API_KEY,
      secret: clientSecretFromBase64(DOC_SECRET),
      headers: {
        'Audiohook-Organization-Id': 'd7934305-0972-4844-938e-9060eef73d05',
        'Audiohook-Session-Id': '30b0e395-84d3-4570-ac13-9a62d8f514c0',
        'Audiohook-Correlation-Id': 'e160e428-53e2-487c-977d-96989bf5c99d',
      },
      created: 1641013200,
      expires: 3282026430,
      nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
      authorityComponent: 'host',
    });
    expect(withHost.Signature).toBe('sig1=:zupMJUMfd/kMuvKc5zhRyfJPE3jTROuz1S1hn8SCTpE=:');
  });

  it('rejects tampering, expiry, unknown parameters and uncovered required components', async () => {
    const sig = 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:';
    expect(await verifyHttpSignature(docRequest(sig, '30b0e395-84d3-4570-ac13-9a62d8f514c1'), { now: 1641013200, resolveKey: docKey })).toMatchObject({ ok: false, code: 'failed' });
    expect(await verifyHttpSignature(docRequest(sig), { now: 1641013200 + 3600, maxAgeSeconds: 60, resolveKey: docKey })).toMatchObject({ ok: false, code: 'expired' });
    expect(await verifyHttpSignature(docRequest(sig), { now: 1641013200 - 3600, resolveKey: docKey })).toMatchObject({ ok: false, reason: /future/ });
    expect(await verifyHttpSignature(docRequest(sig), { now: 1641013200, resolveKey: docKey, required: ['@method'] })).toMatchObject({ ok: false, reason: /does not cover @method/ });
    const weird = docRequest(sig);
    weird.headers['signature-input'] += ';color="blue"';
    expect(await verifyHttpSignature(weird, { now: 1641013200, resolveKey: docKey })).toMatchObject({ ok: false, reason: /unknown signature parameter/ });
    const garbage = docRequest('sig1=:not base64!:');
    expect(await verifyHttpSignature(garbage, { now: 1641013200, resolveKey: docKey })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('round-trips structured field inner lists canonically', () => {
    const text = '("@request-target" "x-api-key");keyid="k\\"1";created=5;expires=-0;alg=tok/en;ok';
    const member = parseDictionary(`sig1=${text}`).get('sig1')!;
    expect(member.kind).toBe('innerList');
    expect(serializeInnerList(member as Extract<typeof member, { kind: 'innerList' }>)).toBe('("@request-target" "x-api-key");keyid="k\\"1";created=5;expires=0;alg=tok/en;ok');
    expect(() => parseDictionary('sig1=("a" "b"')).toThrow();
    expect(() => parseDictionary('sig1=:abc:')).toThrow();
    expect(() => parseDictionary('a=1,')).toThrow();
  });

  it('formats and parses ISO 8601 positions', () => {
    expect(formatDuration(0)).toBe('PT0S');
    expect(formatDuration(1240)).toBe('PT1.24S');
    expect(parseDuration('PT1.24S')).toBe(1240);
    expect(parseDuration('PT1M2.5S')).toBe(62500);
    expect(parseDuration('1.2S')).toBeNull();
    expect(parseDuration('PT')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------

const ORG = 'd7934305-0972-4844-938e-9060eef73d05';
const API_KEY = 'audiohook-test-api-key';
const SECRET = randomBytes(32);
const OPEN_KEY = 'unsigned-allowed-key';

interface Msg {
  version: string;
  id: string;
  type: string;
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}

/** Genesys' side of a session, enough to drive the server. */
class AudioHookTestClient {
  seq = 0;
  serverseq = 0;
  positionMs = 0;
  constructor(
    readonly ws: TestClient,
    readonly sessionId: string,
  ) {}

  send(type: string, parameters: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
    const msg = { version: '2', id: this.sessionId, type, seq: ++this.seq, serverseq: this.serverseq, position: formatDuration(this.positionMs), parameters, ...overrides };
    this.ws.send(msg);
    return msg;
  }

  audio(bytes: Uint8Array, msPerFrame: number) {
    this.ws.send(bytes);
    this.positionMs += msPerFrame;
  }

  async receive(skippedBinary: Buffer[] = []): Promise<Msg> {
    const m = await this.ws.nextJson<Msg>(2000, skippedBinary);
    expect(m.seq, `server seq of ${m.type}`).toBe(this.serverseq + 1);
    this.serverseq = m.seq;
    return m;
  }

  open(conversationId: string, media: unknown[] = [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }], extra: Record<string, unknown> = {}) {
    return this.send('open', {
      organizationId: ORG,
      conversationId,
      participant: { id: randomUUID(), ani: '+13175550000', aniName: 'Caller', dnis: '+18005550199' },
      media,
      language: 'en-US',
      customConfig: { queue: 'billing', priority: 2 },
      ...extra,
    });
  }
}

describe('AudioHook connector over a real server', () => {
  const recorder = new CallRecorder();
  let srv: TestServer;
  const credentials: AudioHookCredentialStore = {
    lookup: async (key) => (key === API_KEY ? { tenantId: 'tenant-g', clientSecret: SECRET, organizationId: ORG } : key === OPEN_KEY ? { tenantId: 'tenant-open', clientSecret: null } : null),
  };

  beforeAll(async () => {
    srv = await startTestServer({ onCall: recorder.onCall, audiohook: { credentials, minFailureDelayMs: 20, closeTimeoutMs: 1000 } });
  });
  afterAll(async () => {
    await srv?.close();
  });

  const url = () => `${srv.wsUrl}/v1/audiohook`;
  function baseHeaders(sessionId: string, apiKey = API_KEY) {
    return { 'Audiohook-Organization-Id': ORG, 'Audiohook-Session-Id': sessionId, 'Audiohook-Correlation-Id': randomUUID(), 'X-API-KEY': apiKey };
  }
  function signedHeaders(sessionId: string, opts: { secret?: Uint8Array; created?: number; nonce?: string } = {}) {
    const headers = baseHeaders(sessionId);
    return { ...headers, ...signRequest({ url: url(), apiKey: API_KEY, secret: opts.secret ?? SECRET, headers, created: opts.created, nonce: opts.nonce }) };
  }
  async function connect(sessionId = randomUUID()) {
    const ws = await TestClient.connect(url(), { headers: signedHeaders(sessionId) });
    return new AudioHookTestClient(ws, sessionId);
  }
  async function openSession(media?: unknown[]) {
    const client = await connect();
    const conversationId = randomUUID();
    client.open(conversationId, media);
    const opened = await client.receive();
    expect(opened.type).toBe('opened');
    const call = await recorder.nextCall();
    return { client, call, conversationId, opened };
  }

  it('opens a correctly signed session, splits stereo audio by channel, answers ping, pause/resume, update and close', async () => {
    const client = await connect();
    const conversationId = randomUUID();
    client.open(conversationId, [
      { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
      { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
    ]);
    const opened = await client.receive();
    expect(opened).toEqual({
      version: '2',
      id: client.sessionId,
      type: 'opened',
      seq: 1,
      clientseq: 1,
      parameters: { startPaused: false, media: [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }] },
    });
    const call = await recorder.nextCall();
    expect(call.transport.call).toMatchObject({
      connector: 'genesys',
      externalCallId: conversationId,
      tenantId: 'tenant-g',
      from: '+13175550000',
      to: '+18005550199',
      sampleRate: 8000,
      channels: ['caller', 'agent'],
      parameters: { queue: 'billing', priority: '2', language: 'en-US', audiohookSessionId: client.sessionId },
    });

    // Caller (external) and agent (internal): two real recordings, interleaved PCMU, 100 ms frames.
    const caller = pcm16ToMulaw(fsddRecording('0_george_0.wav'));
    const agent = pcm16ToMulaw(fsddRecording('1_jackson_0.wav'));
    const n = Math.min(caller.length, agent.length) - (Math.min(caller.length, agent.length) % 800);
    for (let off = 0; off < n; off += 800) {
      const frame = new Uint8Array(1600);
      for (let i = 0; i < 800; i++) {
        frame[2 * i] = caller[off + i]!;
        frame[2 * i + 1] = agent[off + i]!;
      }
      client.audio(frame, 100);
    }
    const ping = client.send('ping', {});
    const pong = await client.receive();
    expect(pong).toMatchObject({ type: 'pong', clientseq: ping.seq, parameters: {} });
    client.send('paused');
    client.send('resumed', { start: formatDuration(client.positionMs), discarded: 'PT0S' });
    client.send('update', { language: 'es-US' });
    (call.transport as AudioHookSession).pause();
    expect(await client.receive()).toMatchObject({ type: 'pause' });
    client.send('close', { reason: 'end' });
    const closed = await client.receive();
    expect(closed).toMatchObject({ type: 'closed', parameters: {}, clientseq: client.seq });
    client.ws.close();
    await call.done;

    const audio = call.events.filter((e) => e.type === 'audio');
    const join = (ch: string) => {
      const parts = audio.filter((e) => e.type === 'audio' && e.channel === ch).map((e) => (e.type === 'audio' ? e.pcm : new Int16Array(0)));
      const out = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) (out.set(p, o), (o += p.length));
      return out;
    };
    expect(Array.from(join('caller'))).toEqual(Array.from(mulawToPcm16(caller.subarray(0, n))));
    expect(Array.from(join('agent'))).toEqual(Array.from(mulawToPcm16(agent.subarray(0, n))));
    expect(audio.filter((e) => e.type === 'audio' && e.channel === 'caller').map((e) => e.atMs)).toEqual(Array.from({ length: n / 800 }, (_, i) => i * 100));
    expect(call.events.filter((e) => e.type !== 'audio').map((e) => e.type)).toEqual(['paused', 'resumed', 'ended']);
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'stream_stopped', atMs: n / 8 });
    expect(call.transport.call.parameters.language).toBe('es-US');
  });

  it('answers the connection probe without starting a call', async () => {
    const before = recorder.calls.length;
    const client = await connect();
    client.open(NULL_UUID, [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }]);
    expect(await client.receive()).toMatchObject({ type: 'opened', parameters: { media: [{ format: 'PCMU' }] } });
    client.send('close', { reason: 'end' });
    expect(await client.receive()).toMatchObject({ type: 'closed' });
    client.ws.close();
    await client.ws.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(recorder.calls.length).toBe(before);
  });

  it('refuses bad credentials with HTTP 401 before the upgrade', async () => {
    const sid = randomUUID();
    const status = (headers: Record<string, string>) => TestClient.connect(url(), { headers }).then(
      (c) => (c.close(), 101),
      (e: { status?: number }) => e.status,
    );
    expect(await status(signedHeaders(sid, { secret: randomBytes(32) }))).toBe(401); // wrong client secret
    expect(await status({ ...signedHeaders(sid), 'Audiohook-Session-Id': randomUUID() })).toBe(401); // tampered after signing
    expect(await status({ ...signedHeaders(sid), 'X-API-KEY': 'someone-else' })).toBe(401); // keyid ≠ API key
    expect(await status(baseHeaders(sid))).toBe(401); // unsigned, but the key has a secret
    expect(await status({ ...baseHeaders(sid), 'X-API-KEY': 'unknown' })).toBe(401);
    expect(await status(signedHeaders(sid, { created: Math.floor(Date.now() / 1000) - 600 }))).toBe(401); // stale
    const { 'X-API-KEY': _drop, ...noKey } = baseHeaders(sid);
    expect(await status(noKey)).toBe(401);
    const { 'Audiohook-Organization-Id': _org, ...noOrg } = baseHeaders(sid);
    expect(await status(noOrg)).toBe(400);
    // The same signed request twice: the nonce is good once.
    const once = signedHeaders(randomUUID());
    expect(await status(once)).toBe(101);
    expect(await status(once)).toBe(401);
    // A key without a client secret may connect unsigned.
    expect(await status({ ...baseHeaders(randomUUID(), OPEN_KEY) })).toBe(101);
  });

  it('disconnects with reason unauthorized when the open message names another organization', async () => {
    const client = await connect();
    client.send('open', { organizationId: randomUUID(), conversationId: randomUUID(), participant: { id: randomUUID(), ani: '', aniName: '', dnis: '' }, media: [{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }] });
    expect(await client.receive()).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized' } });
    client.send('close', { reason: 'disconnect' });
    expect(await client.receive()).toMatchObject({ type: 'closed' });
  });

  it('negotiates L16 when that is what is offered', async () => {
    const { client, call } = await openSession([{ type: 'audio', format: 'L16', channels: ['external'], rate: 8000 }]);
    const pcm = Int16Array.from({ length: 160 }, (_, i) => (i * 397) % 30000 - 15000);
    const bytes = Buffer.alloc(320);
    pcm.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
    client.audio(bytes, 20);
    client.send('close', { reason: 'end' });
    await client.receive();
    await call.done;
    const ev = call.events.find((e) => e.type === 'audio');
    expect(ev?.type === 'audio' && Array.from(ev.pcm)).toEqual(Array.from(pcm));
    expect(call.transport.call.channels).toEqual(['caller']);
  });

  it('sends agent audio back (mono), barge-in as an event, and answers marks from the playout clock', async () => {
    const { client, call } = await openSession([{ type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 }]);
    call.transport.sendAudio(new Int16Array(8 * 40).fill(1000)); // 40 ms
    call.transport.mark('m1');
    const f1 = await client.ws.next();
    const f2 = await client.ws.next();
    expect([f1.binary, f1.data.length, f2.binary, f2.data.length]).toEqual([true, 160, true, 160]);
    await until(() => call.events.some((e) => e.type === 'mark'), 1000, 'mark after playout');
    call.transport.sendAudio(new Int16Array(8000)); // 1 s queued
    call.transport.mark('m2');
    call.transport.clear();
    const skipped: Buffer[] = [];
    expect(await client.receive(skipped)).toMatchObject({ type: 'event', parameters: { entities: [{ type: 'barge_in', data: {} }] } });
    expect(skipped.length).toBe(50);
    await until(() => call.events.filter((e) => e.type === 'mark').length === 2, 200, 'mark m2 reported at clear');
    client.send('close', { reason: 'end' });
    await client.receive();
    await call.done;
  });

  it('hands the call back with disconnect (reason completed, output variables) on transfer', async () => {
    const { client, call } = await openSession();
    const transferred = call.transport.transfer({ target: 'queue:Billing', reason: 'caller asked for an agent', contextId: 'ctx-9', variables: { intent: 'billing', sentiment: 'negative' } });
    const msg = await client.receive();
    expect(msg).toMatchObject({
      type: 'disconnect',
      parameters: {
        reason: 'completed',
        info: 'caller asked for an agent',
        outputVariables: { intent: 'billing', sentiment: 'negative', transferTarget: 'queue:Billing', transferReason: 'caller asked for an agent', contextId: 'ctx-9' },
      },
    });
    client.send('close', { reason: 'disconnect' });
    expect(await client.receive()).toMatchObject({ type: 'closed' });
    await transferred;
    client.ws.close();
    await call.done;
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'transferred' });
  });

  it('answers out-of-order and duplicate sequence numbers with disconnect (error) and still closes cleanly', async () => {
    for (const bad of [{ seq: 2 }, { seq: 5 }, { serverseq: 9 }]) {
      const { client, call } = await openSession();
      if ('seq' in bad && bad.seq === 2) {
        client.send('ping');
        await client.receive();
        client.seq = 1; // the next message repeats seq 2
      }
      if ('seq' in bad && bad.seq === 5) client.seq = 3; // skips 3 and 4
      client.send('ping', {}, 'serverseq' in bad ? { serverseq: bad.serverseq } : {});
      const d = await client.receive();
      expect(d).toMatchObject({ type: 'disconnect', parameters: { reason: 'error', info: expect.stringMatching(/Invalid (seq|serverseq) value/) } });
      client.send('close', { reason: 'disconnect' });
      expect(await client.receive()).toMatchObject({ type: 'closed' });
      await call.done;
      expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'protocol_error' });
      client.ws.close();
    }
  });

  it('answers bad input with disconnect (error) and a reason, or a close code, without disturbing another call', async () => {
    const bystander = await openSession();
    const cases: { name: string; act: (c: AudioHookTestClient) => void; info: RegExp }[] = [
      { name: 'malformed JSON', act: (c) => c.ws.send('{"version":"2",'), info: /not valid JSON/ },
      { name: 'unknown message', act: (c) => c.send('teleport', {}), info: /'teleport' is not a supported client message/ },
      { name: 'not a client message', act: (c) => c.ws.send({ hello: 'world' }), info: /not a well-formed client message/ },
      { name: 'wrong session id', act: (c) => c.send('ping', {}, { id: randomUUID() }), info: /Session identifier mismatch/ },
      { name: 'odd frame size', act: (c) => c.audio(new Uint8Array(3), 0), info: /not a valid audio frame/ },
      { name: 'oversized text', act: (c) => c.send('update', { language: 'x'.repeat(70_000) }), info: /too large/ },
      { name: 'second open', act: (c) => c.open(randomUUID()), info: /'open' in state active/ },
    ];
    for (const tc of cases) {
      const { client, call } = await openSession();
      tc.act(client);
      const d = await client.receive();
      expect(d, tc.name).toMatchObject({ type: 'disconnect', parameters: { reason: 'error', info: expect.stringMatching(tc.info) } });
      client.ws.close();
      await call.done;
      expect(call.events.at(-1), tc.name).toMatchObject({ type: 'ended', reason: 'protocol_error' });
    }
    // Wrong audio formats: nothing acceptable offered.
    const client = await connect();
    client.open(randomUUID(), [
      { type: 'audio', format: 'opus', channels: ['external'], rate: 48000 },
      { type: 'audio', format: 'L16', channels: ['external'], rate: 16000 },
    ]);
    expect(await client.receive()).toMatchObject({ type: 'disconnect', parameters: { reason: 'error', info: expect.stringMatching(/No supported media/) } });
    client.ws.close();
    // Audio before open.
    const early = await connect();
    early.audio(new Uint8Array(160), 20);
    expect(await early.receive()).toMatchObject({ type: 'disconnect', parameters: { reason: 'error', info: 'Received audio in state preparing' } });
    early.ws.close();
    // Beyond the WebSocket payload limit: the socket is closed with 1009.
    const big = await openSession();
    big.client.ws.send(new Uint8Array(200 * 1024));
    expect((await big.client.ws.closed).code).toBe(1009);
    await big.call.done;
    expect(big.call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'connection_lost' });

    // The bystander still works.
    bystander.client.send('ping');
    expect(await bystander.client.receive()).toMatchObject({ type: 'pong' });
    bystander.client.send('close', { reason: 'end' });
    expect(await bystander.client.receive()).toMatchObject({ type: 'closed' });
    await bystander.call.done;
    expect(bystander.call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'stream_stopped' });
  });

  it('ends the call with connection_lost when Genesys vanishes mid-call', async () => {
    const { client, call } = await openSession();
    client.audio(new Uint8Array(320), 20);
    client.ws.ws.terminate();
    await call.done;
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'connection_lost' });
  });
});
