import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { speak } from '@cc/evals/calls/synthesize';
import { signInApi, startPlatformProcess, type PlatformProcess } from '../support/platform-process.ts';

const FRAME = 320; // 20 ms at 16 kHz

interface CallLog {
  events: { type: string; [k: string]: unknown }[];
  agentFrames: number;
  framesAfterCallerSpoke: number;
}

/** A caller on the generic WebSocket connector: real audio in, the agent's real audio out. */
async function placeCall(url: string, token: string, utterance: Int16Array): Promise<CallLog> {
  const ws = new WebSocket(url);
  const log: CallLog = { events: [], agentFrames: 0, framesAfterCallerSpoke: 0 };
  let callerDone = false;
  const ended = new Promise<void>((resolve, reject) => {
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      log.agentFrames++;
      if (callerDone) log.framesAfterCallerSpoke++;
      return;
    }
    const msg = JSON.parse(String(data));
    log.events.push(msg);
    // Playback is instant here: acknowledge marks at once.
    if (msg.type === 'mark') ws.send(JSON.stringify({ type: 'mark', name: msg.name }));
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'start', token, sampleRate: 16000, encoding: 'L16' }));
  await new Promise((r) => setTimeout(r, 4000)); // the greeting plays
  const silence = new Int16Array(FRAME * 40);
  const audio = new Int16Array(utterance.length + silence.length);
  audio.set(utterance);
  for (let at = 0; at < audio.length; at += FRAME) {
    ws.send(Buffer.from(audio.slice(at, at + FRAME).buffer));
    await new Promise((r) => setTimeout(r, 20));
  }
  callerDone = true;
  await Promise.race([ended, new Promise((r) => setTimeout(r, 20_000))]);
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'stop' }));
  return log;
}

describe('a live call through the generic WebSocket connector (real VAD, ASR, agent, TTS)', () => {
  let platform: PlatformProcess;
  let cookie: string;
  beforeAll(async () => {
    platform = await startPlatformProcess();
    const { email, password } = platform.credentials.supervisor!;
    cookie = await signInApi(platform.urls.api, email, password);
  }, 120_000);
  afterAll(async () => {
    if (platform) expect(await platform.stop()).toBe(0);
  }, 60_000);

  it('greets, hears the caller ask for a person, answers, and transfers with a reason', async () => {
    const res = await fetch(`${platform.urls.api}/v1/voice/calls`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(201);
    const { url, token } = (await res.json()) as { url: string; token: string };
    const utterance = await speak('I would like to speak with a person', 'slt', 16000);
    const call = await placeCall(url, token, utterance);
    expect(call.events[0]).toMatchObject({ type: 'started' });
    expect(call.agentFrames).toBeGreaterThan(50); // the greeting was spoken
    expect(call.framesAfterCallerSpoke).toBeGreaterThan(10); // the agent answered the caller
    expect(call.events.some((e) => e.type === 'transfer' && typeof e.reason === 'string')).toBe(true);
  }, 90_000);

  it('stores the finished call for analytics', async () => {
    let completed = 0;
    for (let i = 0; i < 50 && completed === 0; i++) {
      const q = (await (await fetch(`${platform.urls.api}/v1/queues`, { headers: { cookie } })).json()) as { queues: { name: string; completed: number }[] };
      completed = q.queues.find((x) => x.name === 'analytics')!.completed;
      if (!completed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(completed).toBe(1);
    const metrics = await (await fetch(`${platform.urls.api}/metrics`)).text();
    expect(metrics).toMatch(/cc_clickhouse_rows_written_total\{table="turns"\} [1-9]/);
    expect(metrics).toMatch(/cc_clickhouse_rows_written_total\{table="stage_latency"\} [1-9]/);
  }, 30_000);
});
