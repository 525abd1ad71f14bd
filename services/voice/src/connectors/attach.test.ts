import { describe, expect, it } from 'vitest';
import { CallRecorder, startTestServer, TestClient } from './testing.ts';
import { ConnectorTokens } from './tokens.ts';

const tokens = new ConnectorTokens('attach-test-secret-0123456789abcdef');
const start = (c: TestClient) => c.send({ type: 'start', token: tokens.issue({ kind: 'generic', tenantId: 't' }) });

describe('attachConnectors', () => {
  it('ends only the call whose pipeline failed', async () => {
    let n = 0;
    const recorder = new CallRecorder();
    const srv = await startTestServer({
      generic: { tokens },
      onCall: async (t) => {
        if (n++ === 0) throw new Error('pipeline exploded');
        await recorder.onCall(t);
      },
    });
    try {
      const failing = await TestClient.connect(`${srv.wsUrl}/v1/stream`);
      start(failing);
      const healthy = await TestClient.connect(`${srv.wsUrl}/v1/stream`);
      start(healthy);
      const call = await recorder.nextCall();
      expect(await failing.closed).toEqual({ code: 1000, reason: 'pipeline error' });
      healthy.send({ type: 'dtmf', digit: '1' });
      healthy.send({ type: 'stop' });
      await call.done;
      expect(call.events.map((e) => e.type)).toEqual(['dtmf', 'ended']);
    } finally {
      await srv.close();
    }
  });

  it('refuses connections over the limit and says goodbye to every call on close', async () => {
    const recorder = new CallRecorder();
    let release!: () => void;
    recorder.hold = new Promise<void>((r) => (release = r));
    const srv = await startTestServer({ generic: { tokens }, onCall: recorder.onCall, maxConnections: 2 });
    const a = await TestClient.connect(`${srv.wsUrl}/v1/stream`);
    start(a);
    const b = await TestClient.connect(`${srv.wsUrl}/v1/stream`);
    start(b);
    await expect(TestClient.connect(`${srv.wsUrl}/v1/stream`)).rejects.toMatchObject({ status: 503 });
    const callA = await recorder.nextCall();
    const callB = await recorder.nextCall();
    expect(srv.attached.activeConnections()).toBe(2);
    expect(srv.attached.connectors).toEqual(['generic']);
    await srv.close();
    expect(await a.closed).toMatchObject({ code: 1001 });
    expect(await b.closed).toMatchObject({ code: 1001 });
    await callA.done;
    await callB.done;
    expect(callA.events.at(-1)).toMatchObject({ type: 'ended', reason: 'shutdown' });
    release();
  });

  it('ends the call when the pipeline returns without hanging up', async () => {
    const srv = await startTestServer({ generic: { tokens }, onCall: async () => {} });
    try {
      const c = await TestClient.connect(`${srv.wsUrl}/v1/stream`);
      start(c);
      expect(await c.nextJson()).toMatchObject({ type: 'started' });
      expect(await c.nextJson()).toEqual({ type: 'end', reason: 'call completed' });
      expect(await c.closed).toEqual({ code: 1000, reason: 'call completed' });
    } finally {
      await srv.close();
    }
  });
});
