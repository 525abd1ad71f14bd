import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../audio/resample.ts';
import { CallRecorder, fsddRecording, startTestServer, TestClient, type TestServer } from '../testing.ts';
import { ConnectorTokens } from '../tokens.ts';

describe('generic WebSocket connector', () => {
  const tokens = new ConnectorTokens('generic-connector-secret-0123456789');
  const recorder = new CallRecorder();
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer({ onCall: recorder.onCall, generic: { tokens, startTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await srv?.close();
  });

  const url = () => `${srv.wsUrl}/v1/stream`;
  const le = (pcm: Int16Array) => {
    const b = Buffer.alloc(pcm.length * 2);
    pcm.forEach((s, i) => b.writeInt16LE(s, i * 2));
    return b;
  };

  it('round-trips a call: start, 16 kHz audio, dtmf, agent audio, mark, clear, transfer', async () => {
    const client = await TestClient.connect(url());
    client.send({ type: 'start', token: tokens.issue({ kind: 'generic', tenantId: 'tenant-w' }), callerId: '+14155550123', parameters: { scenario: 'billing', turn: 1 } });
    const started = await client.nextJson();
    expect(started).toMatchObject({ type: 'started', sampleRate: 16000 });
    const call = await recorder.nextCall();
    expect(call.transport.call).toMatchObject({ callId: started.callId, connector: 'generic', tenantId: 'tenant-w', from: '+14155550123', sampleRate: 16000, channels: ['caller'], parameters: { scenario: 'billing', turn: '1' } });

    // A real recording, upsampled to 16 kHz, in 20 ms frames.
    const speech = resample(fsddRecording('5_lucas_0.wav'), 8000, 16000);
    const frames: Int16Array[] = [];
    for (let o = 0; o + 320 <= speech.length; o += 320) frames.push(speech.slice(o, o + 320));
    for (const f of frames) client.send(le(f));
    client.send({ type: 'dtmf', digit: '#' });

    call.transport.sendAudio(new Int16Array(480).fill(-1234)); // 30 ms
    call.transport.mark('greeting');
    const a1 = await client.next();
    const a2 = await client.next();
    expect([a1.binary, a1.data.length, a2.binary, a2.data.length]).toEqual([true, 640, true, 640]);
    expect(a1.data.readInt16LE(0)).toBe(-1234);
    expect(a2.data.readInt16LE(638)).toBe(0); // padded tail
    expect(await client.nextJson()).toEqual({ type: 'mark', name: 'greeting' });
    call.transport.clear();
    expect(await client.nextJson()).toEqual({ type: 'clear' });
    client.send({ type: 'mark', name: 'greeting' });

    await new Promise((r) => setTimeout(r, 30));
    await call.transport.transfer({ target: 'queue:support', reason: 'caller asked', contextId: 'ctx-7', variables: { a: 'b' } });
    expect(await client.nextJson()).toEqual({ type: 'transfer', target: 'queue:support', reason: 'caller asked', contextId: 'ctx-7', variables: { a: 'b' } });
    expect(await client.nextJson()).toEqual({ type: 'end', reason: 'transferred' });
    expect((await client.closed).code).toBe(1000);
    await call.done;

    const audio = call.events.filter((e) => e.type === 'audio');
    expect(audio).toHaveLength(frames.length);
    expect(audio.every((e, i) => e.type === 'audio' && e.pcm.length === 320 && e.pcm[100] === frames[i]![100])).toBe(true);
    expect(call.events.slice(frames.length).map((e) => e.type)).toEqual(['dtmf', 'mark', 'ended']);
    expect(call.events.at(-1)).toMatchObject({ reason: 'transferred' });
  });

  it('ends on stop, and on a vanished client', async () => {
    const a = await TestClient.connect(url());
    a.send({ type: 'start', token: tokens.issue({ kind: 'generic', tenantId: 't' }) });
    await a.nextJson();
    const callA = await recorder.nextCall();
    a.send({ type: 'stop' });
    await callA.done;
    expect(callA.events.at(-1)).toMatchObject({ type: 'ended', reason: 'stream_stopped' });

    const b = await TestClient.connect(url());
    b.send({ type: 'start', token: tokens.issue({ kind: 'generic', tenantId: 't' }) });
    await b.nextJson();
    const callB = await recorder.nextCall();
    b.ws.terminate();
    await callB.done;
    expect(callB.events.at(-1)).toMatchObject({ type: 'ended', reason: 'connection_lost' });
  });

  it('answers bad input with an error message and a close code', async () => {
    const good = () => tokens.issue({ kind: 'generic', tenantId: 't' });
    const cases: { name: string; msgs: (string | object | Uint8Array)[]; code: number; error: string }[] = [
      { name: 'bad token', msgs: [{ type: 'start', token: 'nope.nope' }], code: 4401, error: 'unauthorized' },
      { name: 'token of another kind', msgs: [{ type: 'start', token: tokens.issue({ kind: 'twilio-stream', tenantId: 't' }) }], code: 4401, error: 'unauthorized' },
      { name: 'malformed JSON', msgs: ['{"type":'], code: 4400, error: 'bad_json' },
      { name: 'audio before start', msgs: [new Uint8Array(640)], code: 4400, error: 'unexpected_audio' },
      { name: 'wrong sample rate', msgs: [{ type: 'start', token: good(), sampleRate: 8000 }], code: 4415, error: 'bad_media_format' },
      { name: 'odd audio frame', msgs: [{ type: 'start', token: good() }, new Uint8Array(641)], code: 4415, error: 'bad_audio_frame' },
      { name: 'unknown message', msgs: [{ type: 'start', token: good() }, { type: 'dance' }], code: 4400, error: 'unknown_message' },
      { name: 'bad dtmf', msgs: [{ type: 'start', token: good() }, { type: 'dtmf', digit: '12' }], code: 4400, error: 'bad_message' },
    ];
    for (const tc of cases) {
      const c = await TestClient.connect(url());
      for (const m of tc.msgs) c.send(m as object);
      const skipped: Buffer[] = [];
      let msg = await c.nextJson(2000, skipped);
      if (msg.type === 'started') msg = await c.nextJson(2000, skipped);
      expect(msg, tc.name).toMatchObject({ type: 'error', code: tc.error });
      expect((await c.closed).code, tc.name).toBe(tc.code);
    }
    // A used token cannot start a second stream.
    const token = good();
    const first = await TestClient.connect(url());
    first.send({ type: 'start', token });
    expect(await first.nextJson()).toMatchObject({ type: 'started' });
    const call = await recorder.nextCall();
    const second = await TestClient.connect(url());
    second.send({ type: 'start', token });
    expect(await second.nextJson()).toMatchObject({ type: 'error', code: 'unauthorized' });
    first.close();
    await call.done;
    // No start at all.
    const idle = await TestClient.connect(url());
    expect((await idle.closed).code).toBe(4408);
  });

  it('refuses unknown paths with 404', async () => {
    await expect(TestClient.connect(`${srv.wsUrl}/v1/nowhere`)).rejects.toMatchObject({ status: 404 });
  });
});
