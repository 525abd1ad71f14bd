import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '@cc/core';
import { mulawToPcm16, pcm16ToMulaw } from '../../audio/mulaw.ts';
import { CallRecorder, fsddRecording, quietLogger, startTestServer, TestClient, until, type TestServer } from '../testing.ts';
import { ConnectorTokens } from '../tokens.ts';
import { TwilioApiError, TwilioRestCallControl, transferTwiml } from './call-control.ts';
import { twilioSignature, validateTwilioSignature } from './signature.ts';
import { twilioWebhookRoutes, type TwilioAccountDirectory } from './webhook.ts';

const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const OTHER_ACCOUNT = 'AC' + 'b'.repeat(32);
const callSid = (n: number) => 'CA' + n.toString(16).padStart(32, '0');

describe('X-Twilio-Signature', () => {
  // Twilio's published request-validation example.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

  it('matches the example in Twilio’s documentation', () => {
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(validateTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
  });

  it('fails for a tampered parameter, URL, token or signature', () => {
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(validateTwilioSignature('12345', sig, url, { ...params, Digits: '9999' })).toBe(false);
    expect(validateTwilioSignature('12345', sig, url.replace('bar=2', 'bar=3'), params)).toBe(false);
    expect(validateTwilioSignature('54321', sig, url, params)).toBe(false);
    expect(validateTwilioSignature('12345', sig.replace('R', 'S'), url, params)).toBe(false);
    expect(validateTwilioSignature('12345', undefined, url, params)).toBe(false);
  });

  it('accepts the URL signed with or without the default port', () => {
    const sig = twilioSignature('12345', 'https://mycompany.com:443/myapp.php', {});
    expect(validateTwilioSignature('12345', sig, 'https://mycompany.com/myapp.php', {})).toBe(true);
    expect(validateTwilioSignature('12345', twilioSignature('12345', 'https://mycompany.com/x', {}), 'https://mycompany.com:443/x', {})).toBe(true);
  });
});

describe('transfer TwiML', () => {
  const base = { reason: 'caller asked for a human', contextId: 'ctx-1', variables: { intent: 'billing' } };
  it('dials numbers, SIP and clients, and enqueues to queues and workflows', () => {
    expect(transferTwiml({ ...base, target: '+15551230000' })).toContain('<Dial><Number>+15551230000</Number></Dial>');
    expect(transferTwiml({ ...base, target: 'sip:agents@pbx.example.com' })).toContain('<Sip>sip:agents@pbx.example.com?X-CC-Context-Id=ctx-1&amp;X-CC-Reason=caller%20asked%20for%20a%20human</Sip>');
    expect(transferTwiml({ ...base, target: 'client:alice' })).toContain('<Parameter name="intent" value="billing"/>');
    expect(transferTwiml({ ...base, target: 'queue:support' })).toContain('<Enqueue>support</Enqueue>');
    expect(transferTwiml({ ...base, target: 'workflow:WW123' })).toContain('<Task>{&quot;intent&quot;:&quot;billing&quot;');
    expect(() => transferTwiml({ ...base, target: 'somewhere' })).toThrow(/Cannot route/);
  });
});

/** A local stand-in for https://api.twilio.com. */
async function startTwilioStandIn(respond: (req: IncomingMessage, body: string) => { status: number; body: object }) {
  const requests: { method: string; url: string; auth: string; body: URLSearchParams }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body: new URLSearchParams(body) });
      const r = respond(req, body);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { requests, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Twilio connector over a real server', () => {
  const tokens = new ConnectorTokens('a-secret-key-for-connector-tokens');
  const accounts: TwilioAccountDirectory = {
    lookup: async (sid) => (sid === ACCOUNT_SID ? { tenantId: 'tenant-a', authToken: AUTH_TOKEN } : sid === OTHER_ACCOUNT ? { tenantId: 'tenant-b', authToken: 'other-token' } : null),
  };
  const recorder = new CallRecorder();
  let twilioApi: Awaited<ReturnType<typeof startTwilioStandIn>>;
  let srv: TestServer;
  let nextCall = 1;

  beforeAll(async () => {
    twilioApi = await startTwilioStandIn((req) =>
      req.url!.includes(callSid(999)) ? { status: 404, body: { code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 } } : { status: 200, body: { sid: 'CA', status: 'in-progress' } },
    );
    const callControl = new TwilioRestCallControl({
      baseUrl: twilioApi.baseUrl,
      credentials: async (sid) => (sid === ACCOUNT_SID ? { username: sid, password: AUTH_TOKEN } : null),
    });
    srv = await startTestServer({
      onCall: recorder.onCall,
      twilio: { tokens, callControl, transferCloseTimeoutMs: 2000 },
      routes: twilioWebhookRoutes({ accounts, tokens, logger: quietLogger }),
      maxPayloadBytes: { twilio: 16 * 1024 },
    });
  });
  afterAll(async () => {
    await srv?.close();
    await twilioApi?.close();
  });

  const webhookUrl = () => `${srv.httpUrl}/v1/twilio/voice`;
  function form(sid: string, extra: Record<string, string> = {}) {
    return { AccountSid: ACCOUNT_SID, CallSid: sid, From: '+14155550100', To: '+18005550199', CallStatus: 'ringing', Direction: 'inbound', ...extra };
  }
  async function postWebhook(params: Record<string, string>, signature?: string) {
    return fetch(webhookUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });
  }

  /** Answer a call through the webhook and return the stream URL and custom parameters from the TwiML. */
  async function answer(sid: string) {
    const params = form(sid);
    const res = await postWebhook(params, twilioSignature(AUTH_TOKEN, webhookUrl(), params));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Connect><Stream url="[^"]+">(<Parameter name="[^"]+" value="[^"]*"\/>)+<\/Stream><\/Connect><\/Response>$/);
    const url = /<Stream url="([^"]+)"/.exec(xml)![1]!;
    const customParameters: Record<string, string> = {};
    for (const m of xml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) customParameters[m[1]!] = m[2]!.replace(/&amp;/g, '&');
    return { url, customParameters };
  }

  /** Open a stream as Twilio does: connected, then start. */
  async function openStream(sid = callSid(nextCall++)) {
    const { url, customParameters } = await answer(sid);
    const client = await TestClient.connect(url);
    const streamSid = 'MZ' + sid.slice(2);
    client.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    client.send({
      event: 'start',
      sequenceNumber: '1',
      start: { accountSid: ACCOUNT_SID, streamSid, callSid: sid, tracks: ['inbound'], customParameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      streamSid,
    });
    return { client, streamSid, sid, customParameters };
  }

  it('answers the webhook with <Connect><Stream> carrying the tenant and a signed stream token', async () => {
    const { url, customParameters } = await answer(callSid(500));
    expect(url).toBe(`${srv.wsUrl}/v1/twilio/stream`);
    expect(customParameters).toMatchObject({ tenantId: 'tenant-a', from: '+14155550100', to: '+18005550199' });
    const check = tokens.verify(customParameters.token, 'twilio-stream');
    expect(check).toMatchObject({ ok: true, claims: { tenantId: 'tenant-a', callSid: callSid(500), accountSid: ACCOUNT_SID } });
  });

  it('refuses missing, wrong, tampered and replayed signatures with 403', async () => {
    const params = form(callSid(501));
    const good = twilioSignature(AUTH_TOKEN, webhookUrl(), params);
    expect((await postWebhook(params)).status).toBe(403);
    expect((await postWebhook(params, twilioSignature('not-the-token', webhookUrl(), params))).status).toBe(403);
    // Tampering: a changed parameter, an added parameter, a signature for another URL.
    expect((await postWebhook({ ...params, From: '+19995550000' }, good)).status).toBe(403);
    expect((await postWebhook({ ...params, Extra: 'x' }, good)).status).toBe(403);
    expect((await postWebhook(params, twilioSignature(AUTH_TOKEN, webhookUrl() + '?x=1', params))).status).toBe(403);
    // Another account's token cannot vouch for this account, nor an unknown account for anything.
    expect((await postWebhook({ ...params, AccountSid: OTHER_ACCOUNT }, good)).status).toBe(403);
    const unknown = { ...params, AccountSid: 'AC' + 'c'.repeat(32) };
    expect((await postWebhook(unknown, twilioSignature(AUTH_TOKEN, webhookUrl(), unknown))).status).toBe(403);
    // The genuine request works once; the same signed request again is a replay.
    expect((await postWebhook(params, good)).status).toBe(200);
    const replay = await postWebhook(params, good);
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ code: 'replayed' });
    const metrics = await metricsRegistry.getSingleMetricAsString('cc_voice_connector_protocol_errors_total');
    expect(metrics).toMatch(/connector="twilio",kind="bad_signature"} [1-9]/);
  });

  it('runs a whole Media Streams session: real audio in, agent audio, marks and clear out, dtmf, stop', async () => {
    const { client, streamSid, sid } = await openStream();
    const call = await recorder.nextCall();
    expect(call.transport.call).toMatchObject({ connector: 'twilio', externalCallId: sid, tenantId: 'tenant-a', from: '+14155550100', to: '+18005550199', sampleRate: 8000, channels: ['caller'] });
    expect(call.transport.call.parameters).not.toHaveProperty('token');

    // A real 8 kHz recording, μ-law encoded and sent in 20 ms frames as Twilio does.
    const speech = fsddRecording('3_theo_0.wav');
    const ulaw = pcm16ToMulaw(speech);
    let seq = 2;
    const frames = Math.ceil(ulaw.length / 160);
    for (let i = 0; i < frames; i++) {
      const payload = Buffer.from(ulaw.subarray(i * 160, (i + 1) * 160)).toString('base64');
      client.send({ event: 'media', sequenceNumber: String(seq++), media: { track: 'inbound', chunk: String(i + 1), timestamp: String(i * 20), payload }, streamSid });
    }

    // Agent audio: 30 ms cut into 20 ms μ-law frames; the partial frame goes out (padded) before the mark.
    const tone = Int16Array.from({ length: 240 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    call.transport.sendAudio(tone);
    call.transport.mark('prompt-1');
    const m1 = await client.nextJson();
    const m2 = await client.nextJson();
    const m3 = await client.nextJson();
    expect(m1).toMatchObject({ event: 'media', streamSid });
    expect(Buffer.from((m1.media as { payload: string }).payload, 'base64')).toHaveLength(160);
    expect(Buffer.from((m2.media as { payload: string }).payload, 'base64')).toHaveLength(160);
    expect(Array.from(mulawToPcm16(Buffer.from((m1.media as { payload: string }).payload, 'base64')).slice(0, 5))).toEqual(Array.from(mulawToPcm16(pcm16ToMulaw(tone.slice(0, 5)))));
    expect(m3).toEqual({ event: 'mark', streamSid, mark: { name: 'prompt-1' } });
    call.transport.clear();
    expect(await client.nextJson()).toEqual({ event: 'clear', streamSid });

    // Twilio reports the mark played, the caller presses a key, then hangs up.
    client.send({ event: 'mark', sequenceNumber: String(seq++), streamSid, mark: { name: 'prompt-1' } });
    client.send({ event: 'dtmf', sequenceNumber: String(seq++), streamSid, dtmf: { track: 'inbound_track', digit: '7' } });
    client.send({ event: 'stop', sequenceNumber: String(seq++), streamSid, stop: { accountSid: ACCOUNT_SID, callSid: sid } });
    await call.done;
    expect((await client.closed).code).toBe(1000);

    const audio = call.events.filter((e) => e.type === 'audio');
    expect(audio).toHaveLength(frames);
    const received = new Int16Array(audio.reduce((n, e) => n + (e.type === 'audio' ? e.pcm.length : 0), 0));
    let o = 0;
    for (const e of audio) if (e.type === 'audio') (received.set(e.pcm, o), (o += e.pcm.length));
    expect(Array.from(received)).toEqual(Array.from(mulawToPcm16(ulaw)));
    expect(audio.map((e) => e.atMs)).toEqual(audio.map((_, i) => i * 20));
    expect(call.events.slice(frames).map((e) => e.type)).toEqual(['mark', 'dtmf', 'ended']);
    expect(call.events.at(-3)).toMatchObject({ type: 'mark', name: 'prompt-1' });
    expect(call.events.at(-2)).toMatchObject({ type: 'dtmf', digit: '7' });
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'stream_stopped' });
  });

  it('transfers through the REST API (call update with <Dial>) and ends when Twilio stops the stream', async () => {
    const { client, streamSid, sid } = await openStream();
    const call = await recorder.nextCall();
    await call.transport.transfer({ target: '+15551230000', reason: 'escalation', contextId: 'ctx-42', variables: { intent: 'billing' } });
    const req = twilioApi.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`);
    expect(req.auth).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(req.body.get('Twiml')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>+15551230000</Number></Dial></Response>');
    client.send({ event: 'stop', sequenceNumber: '2', streamSid, stop: { accountSid: ACCOUNT_SID, callSid: sid } });
    await call.done;
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'transferred' });
  });

  it('reports a failed REST call update as a TwilioApiError and keeps the call', async () => {
    const { client } = await openStream(callSid(999));
    const call = await recorder.nextCall();
    const err = await call.transport.transfer({ target: '+15551230000', reason: 'x', contextId: 'c', variables: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwilioApiError);
    expect(err).toMatchObject({ code: 'twilio_api_error', context: { httpStatus: 404, twilioCode: 20404 } });
    await call.transport.hangup('done');
    await call.done;
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'hangup' });
    expect((await client.closed).code).toBe(1000);
  });

  it('refuses a reused stream token and a token issued for another call', async () => {
    const first = await openStream();
    const call = await recorder.nextCall();
    // Replaying the same start (same single-use token) on a new socket.
    const again = await TestClient.connect(`${srv.wsUrl}/v1/twilio/stream`);
    again.send({
      event: 'start',
      sequenceNumber: '1',
      start: { accountSid: ACCOUNT_SID, streamSid: first.streamSid, callSid: first.sid, tracks: ['inbound'], customParameters: first.customParameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      streamSid: first.streamSid,
    });
    expect(await again.closed).toEqual({ code: 1008, reason: 'stream token replayed' });
    // A token for call A presented by call B.
    const { customParameters } = await answer(callSid(777));
    const other = await TestClient.connect(`${srv.wsUrl}/v1/twilio/stream`);
    other.send({
      event: 'start',
      sequenceNumber: '1',
      start: { accountSid: ACCOUNT_SID, streamSid: 'MZ1', callSid: callSid(778), tracks: ['inbound'], customParameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      streamSid: 'MZ1',
    });
    expect(await other.closed).toEqual({ code: 1008, reason: 'stream token was issued for another call' });
    first.client.close();
    await call.done;
  });

  it('closes bad input with a code and a reason, without disturbing another call', async () => {
    const bystander = await openStream();
    const bystanderCall = await recorder.nextCall();
    const cases: { name: string; send: (c: TestClient, streamSid: string) => void; code: number; reason: RegExp }[] = [
      { name: 'malformed JSON', send: (c) => c.send('{"event": "media",'), code: 1003, reason: /not valid JSON/ },
      { name: 'unknown event', send: (c, s) => c.send({ event: 'teleport', sequenceNumber: '2', streamSid: s }), code: 1008, reason: /unknown event/ },
      {
        name: 'duplicate sequence number',
        send: (c, s) => c.send({ event: 'dtmf', sequenceNumber: '1', streamSid: s, dtmf: { track: 'inbound_track', digit: '1' } }),
        code: 1008,
        reason: /duplicate or out of order/,
      },
      {
        name: 'bad base64',
        send: (c, s) => c.send({ event: 'media', sequenceNumber: '2', streamSid: s, media: { track: 'inbound', chunk: '1', timestamp: '0', payload: '!!!not base64!!!' } }),
        code: 1007,
        reason: /base64/,
      },
      { name: 'oversized frame', send: (c) => c.send('x'.repeat(20 * 1024)), code: 1009, reason: /.*/ },
      { name: 'binary frame', send: (c) => c.send(new Uint8Array([1, 2, 3])), code: 1003, reason: /JSON text/ },
    ];
    for (const tc of cases) {
      const s = await openStream();
      const call = await recorder.nextCall();
      tc.send(s.client, s.streamSid);
      const closed = await s.client.closed;
      expect(closed.code, tc.name).toBe(tc.code);
      expect(closed.reason, tc.name).toMatch(tc.reason);
      await call.done;
      expect(call.events.at(-1), tc.name).toMatchObject({ type: 'ended', reason: expect.stringMatching(/protocol_error|connection_lost/) });
    }

    // A start with the wrong audio format is refused before any call exists.
    const { url, customParameters } = await answer(callSid(nextCall++));
    const wrong = await TestClient.connect(url);
    wrong.send({ event: 'start', sequenceNumber: '1', start: { accountSid: ACCOUNT_SID, streamSid: 'MZ2', callSid: callSid(nextCall - 1), tracks: ['inbound'], customParameters, mediaFormat: { encoding: 'audio/x-l16', sampleRate: 16000, channels: 1 } }, streamSid: 'MZ2' });
    expect(await wrong.closed).toMatchObject({ code: 1003, reason: expect.stringMatching(/unsupported media format/) });

    // The bystander call is still fine.
    bystander.client.send({ event: 'dtmf', sequenceNumber: '2', streamSid: bystander.streamSid, dtmf: { track: 'inbound_track', digit: '#' } });
    await until(() => bystanderCall.events.some((e) => e.type === 'dtmf'), 2000, 'bystander dtmf');
    bystander.client.send({ event: 'stop', sequenceNumber: '3', streamSid: bystander.streamSid, stop: {} });
    await bystanderCall.done;
    expect(bystanderCall.events.map((e) => e.type)).toEqual(['dtmf', 'ended']);
    const metrics = await metricsRegistry.getSingleMetricAsString('cc_voice_connector_protocol_errors_total');
    for (const kind of ['bad_json', 'unknown_event', 'bad_sequence', 'bad_base64', 'too_large']) expect(metrics).toContain(`connector="twilio",kind="${kind}"`);
  });

  it('ends the call with connection_lost when Twilio vanishes mid-call', async () => {
    const s = await openStream();
    const call = await recorder.nextCall();
    s.client.ws.terminate();
    await call.done;
    expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'connection_lost' });
  });
});

describe('heartbeat', () => {
  it('cuts off a client that stops answering pings', async () => {
    const tokens = new ConnectorTokens('a-secret-key-for-connector-tokens');
    const recorder = new CallRecorder();
    const srv = await startTestServer({ onCall: recorder.onCall, twilio: { tokens }, heartbeatIntervalMs: 60 });
    try {
      const sid = callSid(4242);
      const token = tokens.issue({ kind: 'twilio-stream', tenantId: 't', callSid: sid, accountSid: ACCOUNT_SID });
      const client = await TestClient.connect(`${srv.wsUrl}/v1/twilio/stream`, { autoPong: false });
      client.send({ event: 'start', sequenceNumber: '1', start: { accountSid: ACCOUNT_SID, streamSid: 'MZ9', callSid: sid, tracks: ['inbound'], customParameters: { token }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } }, streamSid: 'MZ9' });
      const call = await recorder.nextCall();
      await call.done;
      expect(call.events.at(-1)).toMatchObject({ type: 'ended', reason: 'connection_lost' });
      expect((await client.closed).code).toBe(1006);
    } finally {
      await srv.close();
    }
  });
});
