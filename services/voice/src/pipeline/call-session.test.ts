import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger, type CallEventRow } from '@cc/core';
import { IngestCallAnalytics } from '@cc/queue';
import { PocketsphinxAsr } from '../asr/pocketsphinx.ts';
import { FliteTts } from '../tts/flite.ts';
import { liveSynthesisProcesses } from '../tts/process-tts.ts';
import type { TtsChunk, TtsProvider, TtsRequest } from '../tts/tts-provider.ts';
import { SileroVadProvider } from '../vad/vad.ts';
import { CallAdmission } from './admission.ts';
import { MemoryAnalyticsSink } from './analytics-sink.ts';
import { CallSession, type CallSessionOptions } from './call-session.ts';
import { MemoryHandoffStore } from './handoff.ts';
import { KeywordPolicy } from './policy.ts';
import { MemorySessionStore, parseSession, serializeSession } from './session-store.ts';
import { FixedTranscriptAsr } from './testing/fixed-transcript-asr.ts';
import { createVoicePipeline } from './runtime.ts';
import { TestMediaTransport } from './testing/test-media-transport.ts';

/**
 * The whole pipeline on real audio: caller utterances spoken by flite (voice rms, 8 kHz) are fed in
 * real time as 20 ms frames through the TEST TRANSPORT → real Silero VAD endpointing → ASR STAND-IN
 * (FixedTranscriptAsr: scripted transcripts; the pocketsphinx provider is another engineer's and not
 * in the tree yet) → keyword stand-in policy → real flite TTS (voice slt) → paced 20 ms frames + marks.
 */

/** Wraps a TTS provider and records what happened to each request. */
class RecordingTts implements TtsProvider {
  readonly name: string;
  /** finished: every sentence synthesized and consumed; stopped: the pipeline ended the synthesis early (abort or early return). */
  readonly requests: { text: string; chunks: number; finished: boolean; stopped: boolean }[] = [];
  constructor(private readonly inner: TtsProvider) {
    this.name = inner.name;
  }
  async *synthesize(request: TtsRequest): AsyncGenerator<TtsChunk> {
    const rec = { text: request.text, chunks: 0, finished: false, stopped: false };
    this.requests.push(rec);
    try {
      for await (const c of this.inner.synthesize(request)) {
        rec.chunks++;
        yield c;
      }
      rec.finished = true;
    } finally {
      rec.stopped = !rec.finished;
    }
  }
}

function childSynthesizers(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /flite|espeak/.test(l));
  } catch {
    return [];
  }
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const logger = createLogger({ level: 'silent' });
const wall = (perfMs: number) => performance.timeOrigin + perfMs;
const types = (events: CallEventRow[]) => events.map((e) => e.event_type);

interface Utterance {
  pcm: Int16Array;
  /** Where the voice really starts / ends inside `pcm` (flite pads with silence), ms. */
  onsetMs: number;
  speechMs: number;
}

let vad: SileroVadProvider;
const caller: Record<string, Utterance> = {};
const figures: Record<string, unknown> = {};

async function speak(text: string): Promise<Utterance> {
  const parts: Int16Array[] = [];
  for await (const c of new FliteTts({ voice: 'rms' }).synthesize({ text, sampleRate: 8000 })) parts.push(c.pcm);
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (pcm.set(p, o), (o += p.length));
  // flite pads with digital silence: the first / last clearly non-zero samples bound the voice
  const first = pcm.findIndex((x) => Math.abs(x) > 64);
  let last = pcm.length - 1;
  while (last > 0 && Math.abs(pcm[last]!) <= 64) last--;
  return { pcm, onsetMs: first / 8, speechMs: (last - first) / 8 };
}

function setup(transport: TestMediaTransport, asr: FixedTranscriptAsr, options: CallSessionOptions = {}, extra: { admission?: CallAdmission } = {}) {
  const tts = new RecordingTts(new FliteTts());
  const analytics = new MemoryAnalyticsSink();
  const sessions = new MemorySessionStore();
  const handoff = new MemoryHandoffStore();
  const session = new CallSession(
    { transport, vad, asr, policy: new KeywordPolicy(), tts, analytics, sessions, handoff, logger, ...(extra.admission ? { admission: extra.admission } : {}) },
    { greet: false, agentVersion: 'test-1', ...options },
  );
  return { session, tts, analytics, sessions, handoff };
}

beforeAll(async () => {
  vad = await SileroVadProvider.load();
  caller.order = await speak('Hello, I need help with my order.');
  caller.bill = await speak('Hi, I have a question about my bill.');
  caller.agent = await speak('Can I talk to an agent, please?');
  caller.hello = await speak('Hello there.');
});

afterAll(() => {
  console.log(JSON.stringify({ pipeline_figures: figures }));
});

describe('CallSession', () => {
  test('a caller utterance goes VAD → ASR → policy → TTS and comes back as 20 ms frames with marks; analytics at the end', async () => {
    const t = new TestMediaTransport({ tenantId: 'acme' });
    const asr = new FixedTranscriptAsr(['hello i need help with my order']);
    // A large playout lead sends the whole reply at once (pacing has its own test in playout.test.ts),
    // which keeps this test short.
    const { session, tts, analytics, sessions } = setup(t, asr, { playoutLeadMs: 60_000 });
    const running = session.run();
    t.silence(300);
    t.say(caller.order!.pcm);
    await waitUntil(() => t.marks.length === 1, 'the whole reply to be sent');
    t.hangUp();
    const summary = await running;

    // VAD endpointed one utterance and handed the ASR its audio (speech ± 200 ms padding, at 8 kHz)
    expect(asr.calls).toHaveLength(1);
    expect(asr.calls[0]!.sampleRate).toBe(8000);
    const utteranceMs = asr.calls[0]!.samples / 8;
    expect(Math.abs(utteranceMs - (caller.order!.speechMs + 400))).toBeLessThan(300);
    // the stand-in policy answered the intent, flite spoke it
    expect(tts.requests).toHaveLength(1);
    expect(tts.requests[0]!.text).toMatch(/help with your order/);
    expect(tts.requests[0]!.finished).toBe(true);
    // 20 ms frames at the call's rate, then the end mark
    expect(t.sentMs).toBeGreaterThan(3000);
    expect(t.sent.every((f) => f.pcm.length === 160)).toBe(true);
    expect(t.marks.map((m) => m.name)).toEqual(['agent-turn-1']);
    expect(t.clears).toEqual([]);

    // analytics: the job payload validates; 2 turns; the reply's stage breakdown
    expect(analytics.calls).toHaveLength(1);
    const payload = IngestCallAnalytics.parse(analytics.calls[0]);
    expect(payload.turns.map((r) => [r.turn_index, r.speaker, r.intent])).toEqual([
      [0, 'caller', 'order_status'],
      [1, 'agent', ''],
    ]);
    expect(payload.turns[0]!.text_redacted).toBe('hello i need help with my order');
    expect(payload.turns.every((r) => r.tenant_id === 'acme' && r.agent_version === 'test-1')).toBe(true);
    const stages = Object.fromEntries(payload.stageLatency.map((s) => [s.stage, s]));
    expect(Object.keys(stages).sort()).toEqual(['asr', 'policy', 'transport', 'tts', 'vad']);
    expect(payload.stageLatency.every((s) => s.turn_index === 1)).toBe(true);
    expect(stages.vad!.duration_ms).toBeGreaterThanOrEqual(480); // the 500 ms hangover (frame-granular)
    expect(stages.vad!.duration_ms).toBeLessThan(1000);
    expect(types(payload.events)).toEqual(['call_started', 'call_ended']);
    expect(JSON.parse(payload.events[1]!.payload)).toMatchObject({ outcome: 'abandoned', reason: 'caller_hangup', turns: 2 });
    expect(summary.outcome).toBe('abandoned');

    // voice-to-voice: end of caller speech → first agent frame (includes the hangover)
    expect(summary.metrics.voiceToVoiceMs).toHaveLength(1);
    const v2v = summary.metrics.voiceToVoiceMs[0]!;
    expect(v2v).toBeGreaterThan(450);
    expect(v2v).toBeLessThan(2000);
    const sum = ['vad', 'asr', 'policy', 'tts', 'transport'].reduce((n, s) => n + stages[s]!.duration_ms, 0);
    expect(Math.abs(v2v - sum)).toBeLessThan(50); // the stages account for the whole wait
    figures.voice_to_voice_ms = Math.round(v2v);
    figures.stages_ms = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, v.duration_ms]));
    figures.tts_first_audio_ms = summary.metrics.ttsFirstAudioMs.map(Math.round);

    // the session state was saved, serialisable, and marked ended
    const saved = await sessions.load(t.call.callId);
    expect(saved).toMatchObject({ status: 'ended', turns: 2, outcome: 'abandoned', tenantId: 'acme' });
    expect(parseSession(serializeSession(saved!))).toEqual(saved);
    expect(session.activeTimers).toBe(0);
    expect(liveSynthesisProcesses()).toBe(0);
  }, 30_000);

  test('barge-in (speech and DTMF) clears the far end and aborts TTS; DTMF digits reach the policy; escalation transfers with a context package', async () => {
    const t = new TestMediaTransport();
    const asr = new FixedTranscriptAsr(['hi i have a question about my bill', 'can i talk to an agent please']);
    const { session, tts, analytics, handoff } = setup(t, asr, { greet: true });
    const running = session.run();

    // 1. The caller talks over the greeting.
    t.silence(1000);
    t.say(caller.bill!.pcm);
    await waitUntil(() => t.clears.length === 1, 'barge-in on the greeting');
    const clear1 = t.clears[0]!;
    const sentAtClear = t.sent.length;
    expect(tts.requests[0]!.text).toMatch(/^Hello, thanks for calling/);
    // Synthesis runs ≤ 1 s ahead of playback: the barge-in ~1 s into the 3-sentence greeting cut it short.
    await waitUntil(() => tts.requests[0]!.stopped, 'the greeting synthesis to be stopped');
    expect(tts.requests[0]!.finished).toBe(false);
    const onset1 = t.speechStarts[0]! + caller.bill!.onsetMs;
    figures.bargein_speech_ms_test_clock = Math.round(clear1 - onset1);

    // 2. Nothing is sent while the caller is still speaking; then the billing reply starts.
    await waitUntil(() => tts.requests.length === 2 && t.sent.length > sentAtClear + 25, 'the billing reply');
    const firstAfter = t.sent.slice(sentAtClear)[0]!.at;
    expect(firstAfter - clear1).toBeGreaterThan(caller.bill!.speechMs - 400);
    expect(tts.requests[1]!.text).toMatch(/help with your bill/);
    expect(session.snapshot().grammar).toBe('digits'); // the next turn captures a number

    // 3. The caller keys the account number over the reply: barge-in, then a DTMF turn.
    t.press('1234#');
    await waitUntil(() => t.clears.length === 2, 'barge-in by DTMF');
    await waitUntil(() => tts.requests.length === 3 && tts.requests[2]!.chunks > 0, 'the reply to the digits');
    expect(tts.requests[1]!.stopped).toBe(true);
    expect(tts.requests[2]!.text).toMatch(/account ending in 3 4/);
    expect(asr.calls).toHaveLength(1); // digits never go through ASR

    // 4. The caller asks for a human over that reply: barge-in, transfer after the announcement.
    await waitUntil(() => t.sentMs > 0 && t.sent.at(-1)!.at - t.clears[1]! > 500, 'some of the reply to play');
    t.say(caller.agent!.pcm);
    await waitUntil(() => t.clears.length === 3, 'barge-in on the account reply');
    const summary = await running;

    expect(tts.requests[2]!.stopped).toBe(true);
    expect(tts.requests[3]!.text).toMatch(/transfer you to a representative/);
    expect(tts.requests[3]!.finished).toBe(true);
    expect(asr.calls).toHaveLength(2);
    expect(t.transfers).toHaveLength(1);
    const transfer = t.transfers[0]!;
    expect(transfer).toMatchObject({ target: 'agents', reason: 'caller_requested_human', variables: { reason: 'caller_requested_human', intent: 'request_human' } });
    const pkg = handoff.packages.get(transfer.contextId)!;
    expect(pkg).toMatchObject({ callId: t.call.callId, reason: 'caller_requested_human', intent: 'request_human' });
    expect(pkg.transcript.map((x) => x.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent', 'caller', 'agent']);
    expect(pkg.transcript[1]!.text).toBe('hi i have a question about my bill');
    // keyed digits are redacted in the transcript (they could be a card or PIN); the filled slot carries them for the human agent
    expect(JSON.stringify(pkg.transcript)).not.toContain('1234');
    expect(pkg.slots).toEqual({ account_number: '1234' });
    expect(summary.outcome).toBe('escalated');

    const payload = IngestCallAnalytics.parse(analytics.calls[0]);
    expect(payload.turns.map((r) => r.speaker)).toEqual(['agent', 'caller', 'agent', 'caller', 'agent', 'caller', 'agent']);
    expect(payload.turns[3]!.text_redacted).not.toContain('1234');
    expect(payload.turns[3]!.intent).toBe('provide_account_number');
    expect(types(payload.events)).toEqual(['call_started', 'barge_in', 'barge_in', 'dtmf', 'barge_in', 'escalated', 'call_ended']);
    const bargeIns = payload.events.filter((e) => e.event_type === 'barge_in').map((e) => JSON.parse(e.payload));
    expect(bargeIns.map((b) => b.source)).toEqual(['speech', 'dtmf', 'speech']);
    expect(summary.metrics.bargeInMs).toHaveLength(3);
    const speechBargeIns = [summary.metrics.bargeInMs[0]!, summary.metrics.bargeInMs[2]!];
    for (const ms of speechBargeIns) expect(ms).toBeLessThan(600);
    figures.bargein_speech_ms = speechBargeIns.map(Math.round);
    figures.bargein_dtmf_ms = Math.round(summary.metrics.bargeInMs[1]!);
    // no agent audio between a clear and the end of the caller's speech
    const onset3 = t.speechStarts[1]! + caller.agent!.onsetMs;
    const clear3 = t.clears[2]!;
    expect(t.sent.filter((f) => f.at > clear3 && f.at < onset3 + caller.agent!.speechMs).length).toBe(0);
    figures.bargein_speech_ms_test_clock = [figures.bargein_speech_ms_test_clock, Math.round(clear3 - onset3)];
    expect(wall(clear3)).toBeGreaterThan(wall(onset3));
    expect(session.activeTimers).toBe(0);
    expect(liveSynthesisProcesses()).toBe(0);
  }, 45_000);

  test('a caller who goes on after a pause longer than the hangover gets one turn with all of the audio', async () => {
    const t = new TestMediaTransport();
    // The first decode is slow, so the caller is still "being understood" when they go on.
    const asr = new FixedTranscriptAsr([{ text: 'hello there', delayMs: 1500 }, 'hello there i need help with my order']);
    const { session, analytics } = setup(t, asr);
    const running = session.run();
    t.silence(200);
    t.say(caller.hello!.pcm);
    t.silence(650);
    t.say(caller.order!.pcm);
    await waitUntil(() => t.sent.length > 0, 'the reply');
    t.hangUp();
    await running;
    expect(asr.calls).toHaveLength(2);
    expect(asr.calls[0]!.aborted).toBe(true);
    // the second decode got both utterances
    expect(asr.calls[1]!.samples / 8).toBeGreaterThan(caller.hello!.speechMs + caller.order!.speechMs);
    const payload = IngestCallAnalytics.parse(analytics.calls[0]);
    expect(payload.turns.map((r) => [r.speaker, r.intent])).toEqual([
      ['caller', 'order_status'],
      ['agent', ''],
    ]);
    expect(types(payload.events)).toEqual(['call_started', 'turn_merged', 'call_ended']);
    expect(session.activeTimers).toBe(0);
  }, 30_000);

  test('a call cut off mid-turn still emits every completed turn; the stage in flight is aborted', async () => {
    const t = new TestMediaTransport();
    const asr = new FixedTranscriptAsr(['hello there', { text: 'never', hang: true }]);
    const { session, analytics } = setup(t, asr);
    const running = session.run();
    t.silence(200);
    t.say(caller.hello!.pcm);
    await waitUntil(() => t.sent.length > 10, 'the first reply to start');
    t.say(caller.order!.pcm); // talks over it, then the decode of this turn never returns…
    await waitUntil(() => asr.calls.length === 2, 'the second utterance to reach the ASR');
    t.hangUp(); // …and the caller hangs up while it runs
    const summary = await running;
    expect(asr.calls[1]!.aborted).toBe(true);
    const payload = IngestCallAnalytics.parse(analytics.calls[0]);
    expect(payload.turns.map((r) => [r.speaker, r.text_redacted.slice(0, 12)])).toEqual([
      ['caller', 'hello there'],
      ['agent', 'Hi! I can he'],
    ]);
    expect(types(payload.events)).toEqual(['call_started', 'barge_in', 'call_ended']);
    expect(new Set(payload.stageLatency.map((s) => s.stage))).toEqual(new Set(['vad', 'asr', 'policy', 'tts', 'transport']));
    expect(summary.outcome).toBe('abandoned');
    expect(session.activeTimers).toBe(0);
  }, 30_000);

  test('a call ended while the agent speaks kills synthesis and keeps the started agent turn', async () => {
    const t = new TestMediaTransport();
    const asr = new FixedTranscriptAsr(['i have a question about my bill']);
    const { session, tts, analytics } = setup(t, asr);
    const running = session.run();
    t.silence(200);
    t.say(caller.bill!.pcm);
    await waitUntil(() => tts.requests.length === 1 && tts.requests[0]!.chunks >= 1, 'the reply to start');
    t.hangUp();
    await running;
    const payload = IngestCallAnalytics.parse(analytics.calls[0]);
    expect(payload.turns.map((r) => r.speaker)).toEqual(['caller', 'agent']);
    expect(tts.requests[0]!.finished).toBe(false);
    expect(liveSynthesisProcesses()).toBe(0);
    expect(childSynthesizers()).toEqual([]);
    expect(session.activeTimers).toBe(0);
  }, 30_000);

  test('admission control refuses calls over the limit cleanly and counts them', async () => {
    const admission = new CallAdmission(1);
    const asr = new FixedTranscriptAsr(['hello']);
    const t1 = new TestMediaTransport();
    const s1 = setup(t1, asr, {}, { admission });
    const r1 = s1.session.run();
    await waitUntil(() => admission.stats.active === 1, 'the first call to be admitted');

    const t2 = new TestMediaTransport();
    const s2 = setup(t2, asr, {}, { admission });
    const refused = await s2.session.run();
    expect(refused.admitted).toBe(false);
    expect(t2.hangups).toEqual(['over_capacity']);
    expect(s2.analytics.calls).toEqual([]);
    expect(admission.stats).toEqual({ max: 1, active: 1, admitted: 1, refused: 1 });
    expect(t1.ended).toBe(false); // the call in progress is untouched

    t1.hangUp();
    expect((await r1).admitted).toBe(true);
    expect(admission.stats.active).toBe(0);
    const t3 = new TestMediaTransport();
    const s3 = setup(t3, asr, {}, { admission });
    const r3 = s3.session.run();
    t3.hangUp();
    expect((await r3).admitted).toBe(true);
    expect(admission.stats).toEqual({ max: 1, active: 0, admitted: 2, refused: 1 });
  });

  test('the per-process pipeline: onCall behind admission control, stopAll at shutdown still emits analytics', async () => {
    const analytics = new MemoryAnalyticsSink();
    const ended: string[] = [];
    const pipeline = createVoicePipeline(
      { vad, asr: new FixedTranscriptAsr(['hello']), policy: new KeywordPolicy(), tts: new FliteTts(), analytics, logger },
      { maxConcurrentCalls: 1, greet: false, onCallEnded: (s) => ended.push(`${s.callId}:${s.outcome}`) },
    );
    const t1 = new TestMediaTransport({ callId: 'p1' });
    const t2 = new TestMediaTransport({ callId: 'p2' });
    const c1 = pipeline.onCall(t1);
    await waitUntil(() => pipeline.activeCalls() === 1, 'the first call');
    await pipeline.onCall(t2);
    expect(t2.hangups).toEqual(['over_capacity']);
    expect(pipeline.stats()).toMatchObject({ active: 1, refused: 1 });
    await pipeline.stopAll('shutdown');
    await c1;
    expect(ended).toEqual(['p2:failed', 'p1:failed']);
    expect(analytics.calls.map((c) => c.callId)).toEqual(['p1']);
    expect(JSON.parse(analytics.calls[0]!.events.at(-1)!.payload)).toMatchObject({ outcome: 'failed', reason: 'shutdown' });
    expect(pipeline.activeCalls()).toBe(0);
  });

  test('with the real pocketsphinx provider and the telephone-band model from models/asr', async () => {
    const sphinx = new PocketsphinxAsr();
    try {
      const t = new TestMediaTransport();
      const analytics = new MemoryAnalyticsSink();
      const session = new CallSession({ transport: t, vad, asr: sphinx, policy: new KeywordPolicy(), tts: new FliteTts(), analytics, logger }, { greet: false });
      const running = session.run();
      t.silence(200);
      t.say(caller.order!.pcm);
      await waitUntil(() => t.sent.length > 5, 'a reply', 20_000);
      t.hangUp();
      await running;
      const turns = analytics.calls[0]!.turns;
      expect(turns.map((r) => r.speaker)).toEqual(['caller', 'agent']);
      expect(turns[0]!.text_redacted.length).toBeGreaterThan(0);
      figures.pocketsphinx = { transcript: turns[0]!.text_redacted, intent: turns[0]!.intent, v2v_ms: Math.round(session.metrics.voiceToVoiceMs[0]!) };
    } finally {
      await sphinx.close();
    }
  }, 30_000);

  test('no synthesis process outlives the calls', () => {
    expect(liveSynthesisProcesses()).toBe(0);
    expect(childSynthesizers()).toEqual([]);
  });
});
