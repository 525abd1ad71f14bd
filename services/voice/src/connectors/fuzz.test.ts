import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { InboundMedia, MediaTransport } from '../transport/media-transport.ts';
import { AudioHookSession } from './audiohook/session.ts';
import { formatDuration } from './audiohook/protocol.ts';
import { GenericSession } from './generic/session.ts';
import { collect, fakeContext, FakeSocket } from './testing.ts';
import { ConnectorTokens } from './tokens.ts';
import { TwilioStreamSession } from './twilio/stream.ts';

/**
 * Property: whatever a peer sends — garbage, half-right protocol messages, binary noise, in any
 * order — a handler never throws, only closes with codes and reasons a real socket accepts, sends
 * only well-formed protocol messages, and a started call's inbound() always finishes with exactly one
 * `ended` event once the connection is gone.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const tokens = new ConnectorTokens('fuzz-test-secret-0123456789abcdef');

const jsonValue = fc.jsonValue({ maxDepth: 2 });
const noise = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => ({ text: s })),
  jsonValue.map((v) => ({ text: JSON.stringify(v) })),
  fc.uint8Array({ maxLength: 700 }).map((b) => ({ binary: b })),
);

function asSocket(fake: FakeSocket): WebSocket {
  return fake as unknown as WebSocket;
}

let liveRuns = 0;

async function finish(fake: FakeSocket, started: MediaTransport[]): Promise<InboundMedia[] | undefined> {
  if (started.length > 0) liveRuns++;
  fake.drop();
  expect(started.length).toBeLessThanOrEqual(1);
  if (started.length === 0) return undefined;
  const events = await collect(started[0]!, 1000);
  expect(events.filter((e) => e.type === 'ended')).toHaveLength(1);
  expect(events.at(-1)?.type).toBe('ended');
  return events;
}

function deliver(fake: FakeSocket, m: { text?: string; binary?: Uint8Array }) {
  if (m.binary !== undefined) fake.deliver(m.binary);
  else fake.deliver(m.text!);
}

describe('handlers under random input (fast-check)', () => {
  it('Twilio Media Streams', async () => {
    const event = fc.constantFrom('connected', 'start', 'media', 'dtmf', 'mark', 'stop', 'clear', 'other');
    const twilioish = fc
      .record({
        event,
        seq: fc.oneof({ arbitrary: fc.constant('next'), weight: 6 }, fc.integer({ min: -2, max: 12 }).map(String), fc.constant(undefined), fc.string({ maxLength: 4 })),
        payload: fc.oneof(fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('base64')), fc.string({ maxLength: 20 })),
        digit: fc.oneof(fc.constantFrom('1', '#', '*', 'D'), fc.string({ maxLength: 3 })),
        withToken: fc.boolean(),
        format: fc.constantFrom('audio/x-mulaw', 'audio/x-l16'),
        extra: jsonValue,
      })
      .map((r) => {
        const streamSid = 'MZfuzz';
        const base = { event: r.event, sequenceNumber: r.seq, streamSid };
        const bodies: Record<string, object> = {
          start: {
            start: {
              accountSid: 'AC1',
              callSid: 'CA1',
              streamSid,
              tracks: ['inbound'],
              customParameters: { token: r.withToken ? tokens.issue({ kind: 'twilio-stream', tenantId: 't', callSid: 'CA1', accountSid: 'AC1' }) : 'x' },
              mediaFormat: { encoding: r.format, sampleRate: 8000, channels: 1 },
            },
          },
          media: { media: { track: 'inbound', chunk: '1', timestamp: '0', payload: r.payload } },
          dtmf: { dtmf: { track: 'inbound_track', digit: r.digit } },
          mark: { mark: { name: String(r.extra) } },
          stop: { stop: {} },
        };
        return { text: JSON.stringify({ ...base, ...(bodies[r.event] ?? { x: r.extra }) }) };
      });
    const validStart = () =>
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid: 'MZfuzz',
        start: {
          accountSid: 'AC1',
          callSid: 'CA1',
          streamSid: 'MZfuzz',
          tracks: ['inbound'],
          customParameters: { token: tokens.issue({ kind: 'twilio-stream', tenantId: 't', callSid: 'CA1', accountSid: 'AC1' }) },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    const startFirst = fc.constantFrom(true, true, true, false);
    await fc.assert(
      fc.asyncProperty(startFirst, fc.array(fc.oneof({ arbitrary: twilioish, weight: 4 }, { arbitrary: noise, weight: 1 }), { maxLength: 25 }), async (first, msgs) => {
        const fake = new FakeSocket();
        const ctx = fakeContext('twilio');
        const session = new TwilioStreamSession(asSocket(fake), ctx, { tokens, startTimeoutMs: 60_000 });
        let seq = 1;
        if (first) fake.deliver(validStart());
        for (const m of msgs) {
          // 'next' stands for the right sequence number at this point.
          const next = 'text' in m ? { text: m.text.replace('"sequenceNumber":"next"', () => `"sequenceNumber":"${++seq}"`) } : m;
          expect(() => deliver(fake, next)).not.toThrow();
        }
        if (ctx.started.length > 0) {
          session.sendAudio(new Int16Array(200));
          session.mark('m');
          session.clear();
        }
        const events = await finish(fake, ctx.started);
        expect(fake.invalidCloses).toEqual([]);
        for (const s of fake.sent) expect(typeof s === 'string' && typeof JSON.parse(s).event === 'string').toBe(true);
        if (events) expect(events.every((e) => e.type !== 'audio' || e.pcm.length > 0)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    // The generators must reach live calls, not only handshake errors.
    expect(liveRuns).toBeGreaterThan(RUNS / 3);
    liveRuns = 0;
  });

  it('Genesys AudioHook', async () => {
    const sessionId = randomUUID();
    const org = randomUUID();
    const type = fc.constantFrom('open', 'close', 'ping', 'paused', 'resumed', 'update', 'discarded', 'error', 'dtmf', 'playback_completed', 'pong', 'bogus');
    // Messages that are mostly right: sequential seq unless `skew` says otherwise.
    const audiohookish = fc.record({ type, skew: fc.constantFrom(0, 0, 0, 0, -1, 1, 2), serverseq: fc.constantFrom(0, 0, 0, 50), params: jsonValue, probe: fc.boolean(), stereo: fc.boolean() });
    const frame = fc.oneof(
      fc.integer({ min: 1, max: 400 }).map((n) => ({ binary: new Uint8Array(n * 4).fill(0x7f) })),
      fc.uint8Array({ maxLength: 1700 }).map((b) => ({ binary: b })),
    );
    const item = fc.oneof({ arbitrary: audiohookish, weight: 4 }, { arbitrary: frame, weight: 2 }, { arbitrary: noise, weight: 1 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(true, true, true, false), fc.boolean(), fc.array(item, { maxLength: 25 }), async (openFirst, stereo, rest) => {
        const items = openFirst ? [{ type: 'open', skew: 0, serverseq: 0, params: null, probe: false, stereo }, ...rest] : rest;
        const fake = new FakeSocket();
        const ctx = fakeContext('genesys');
        const session = new AudioHookSession(asSocket(fake), ctx, { tenantId: 't', apiKey: 'k', organizationId: org, sessionId, correlationId: randomUUID(), signed: true }, { openTimeoutMs: 60_000, closeTimeoutMs: 50 });
        let seq = 0;
        for (const it of items) {
          if ('type' in it && it.type !== undefined) {
            seq += 1 + it.skew;
            const parameters =
              it.type === 'open'
                ? {
                    organizationId: org,
                    conversationId: it.probe ? '00000000-0000-0000-0000-000000000000' : randomUUID(),
                    participant: { id: randomUUID(), ani: '', aniName: '', dnis: '' },
                    media: [{ type: 'audio', format: 'PCMU', channels: it.stereo ? ['external', 'internal'] : ['external'], rate: 8000 }],
                  }
                : typeof it.params === 'object' && it.params !== null && !Array.isArray(it.params)
                  ? it.params
                  : {};
            expect(() => fake.deliver(JSON.stringify({ version: '2', id: sessionId, type: it.type, seq, serverseq: it.serverseq, position: formatDuration(0), parameters }))).not.toThrow();
          } else expect(() => deliver(fake, it)).not.toThrow();
        }
        if (ctx.started.length > 0) {
          session.sendAudio(new Int16Array(200));
          session.mark('m');
          session.clear();
        }
        await finish(fake, ctx.started);
        expect(fake.invalidCloses).toEqual([]);
        // Server messages are numbered 1, 2, 3, … and never disconnect twice.
        const sent = fake.json();
        expect(sent.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1));
        expect(sent.every((m) => m.version === '2' && m.id === sessionId && typeof m.clientseq === 'number')).toBe(true);
        expect(sent.filter((m) => m.type === 'disconnect').length).toBeLessThanOrEqual(1);
        expect(sent.filter((m) => m.type === 'opened').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: RUNS },
    );
    // The generators must reach live calls, not only handshake errors.
    expect(liveRuns).toBeGreaterThan(RUNS / 3);
    liveRuns = 0;
  });

  it('generic WebSocket', async () => {
    const genericish = fc
      .record({
        type: fc.constantFrom('start', 'dtmf', 'mark', 'stop', 'other'),
        good: fc.boolean(),
        digit: fc.oneof(fc.constantFrom('0', '9', '#'), fc.string({ maxLength: 2 })),
        rate: fc.constantFrom(undefined, 16000, 8000),
        extra: jsonValue,
      })
      .map((r) => {
        if (r.type === 'start') return { text: JSON.stringify({ type: 'start', token: r.good ? tokens.issue({ kind: 'generic', tenantId: 't' }) : 'bad', sampleRate: r.rate, parameters: r.extra }) };
        return { text: JSON.stringify({ type: r.type, digit: r.digit, name: r.extra }) };
      });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(true, true, true, false), fc.array(fc.oneof({ arbitrary: genericish, weight: 3 }, { arbitrary: noise, weight: 1 }), { maxLength: 25 }), async (startFirst, msgs) => {
        const fake = new FakeSocket();
        const ctx = fakeContext('generic');
        const session = new GenericSession(asSocket(fake), ctx, { tokens, startTimeoutMs: 60_000 });
        if (startFirst) fake.deliver(JSON.stringify({ type: 'start', token: tokens.issue({ kind: 'generic', tenantId: 't' }) }));
        for (const m of msgs) expect(() => deliver(fake, m)).not.toThrow();
        if (ctx.started.length > 0) {
          session.sendAudio(new Int16Array(500));
          session.mark('m');
          session.clear();
        }
        await finish(fake, ctx.started);
        expect(fake.invalidCloses).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    // The generators must reach live calls, not only handshake errors.
    expect(liveRuns).toBeGreaterThan(RUNS / 3);
    liveRuns = 0;
  });
});
