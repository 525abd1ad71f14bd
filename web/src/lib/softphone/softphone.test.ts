import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Softphone, type CallState } from './softphone';
import { floatToL16 } from './pcm';

/** Minimal stand-ins for the browser APIs the softphone wires together. */
class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  binaryType = '';
  sent: (string | ArrayBuffer)[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(d: string | ArrayBuffer) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  text(): Record<string, unknown>[] {
    return this.sent.filter((d): d is string => typeof d === 'string').map((d) => JSON.parse(d) as Record<string, unknown>);
  }
}

class FakeNode {
  onaudioprocess: ((e: unknown) => void) | null = null;
  connect() {}
  disconnect() {}
}
let playback: FakeNode | null = null;
class FakeAudioContext {
  sampleRate = 16000;
  destination = {};
  audioWorklet = undefined;
  resume = async () => {};
  close = async () => {};
  createMediaStreamSource = () => new FakeNode();
  createScriptProcessor = () => {
    const n = new FakeNode();
    playback = n; // the last one created is the playback node
    return n;
  };
}

function pullPlayback(n: number): Float32Array {
  const out = new Float32Array(n);
  playback!.onaudioprocess!({ outputBuffer: { getChannelData: () => out } });
  return out;
}

describe('Softphone (fake browser APIs)', () => {
  let states: [CallState, string | undefined][];
  let logs: string[];
  const phone = () => new Softphone({ onState: (s, d) => states.push([s, d]), onLog: (l) => logs.push(l) });

  beforeEach(() => {
    states = [];
    logs = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('AudioContext', FakeAudioContext);
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: async () => ({ getTracks: () => [] }) } });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends start with the token, plays agent audio, and stops at once on clear (barge-in)', async () => {
    const p = phone();
    await p.start({ url: 'ws://voice/v1/stream', token: 'tok-1' });
    const ws = FakeSocket.last!;
    ws.open();
    expect(ws.text()[0]).toEqual({ type: 'start', token: 'tok-1', sampleRate: 16000, encoding: 'L16' });
    ws.onmessage!({ data: JSON.stringify({ type: 'started', callId: 'c-1', sampleRate: 16000 }) });
    expect(states.at(-1)).toEqual(['in-call', 'c-1']);

    // 1 s of agent audio and a mark after it; then the caller barges in.
    ws.onmessage!({ data: floatToL16(new Float32Array(16000).fill(0.5)) });
    ws.onmessage!({ data: JSON.stringify({ type: 'mark', name: 'sentence-1' }) });
    expect(pullPlayback(1024)[10]).toBeCloseTo(0.5, 3);
    ws.onmessage!({ data: JSON.stringify({ type: 'clear' }) });
    expect(Math.max(...pullPlayback(1024))).toBe(0);
    expect(ws.text().filter((m) => m.type === 'mark')).toEqual([{ type: 'mark', name: 'sentence-1' }]);
    expect(logs.join('\n')).toMatch(/barge-in/);

    ws.onmessage!({ data: JSON.stringify({ type: 'transfer', target: 'queue:billing', reason: 'caller asked' }) });
    ws.onmessage!({ data: JSON.stringify({ type: 'end', reason: 'transferred' }) });
    expect(logs.join('\n')).toMatch(/Transfer to queue:billing/);
    expect(states.at(-1)).toEqual(['ended', 'The agent transferred the call to a human.']);
  });

  it('says when the microphone permission is refused', async () => {
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })) } });
    await phone().start({ url: 'ws://voice/v1/stream', token: 't' });
    expect(states.at(-1)![0]).toBe('failed');
    expect(states.at(-1)![1]).toMatch(/permission was denied/);
  });

  it('explains a refused token and a refused connection', async () => {
    await phone().start({ url: 'ws://voice/v1/stream', token: 'old' });
    FakeSocket.last!.open();
    FakeSocket.last!.onclose!({ code: 4401, reason: 'token expired' });
    expect(states.at(-1)![1]).toMatch(/expired/);

    states = [];
    await phone().start({ url: 'ws://nowhere/v1/stream', token: 't' });
    FakeSocket.last!.onclose!({ code: 1006, reason: '' });
    expect(states.at(-1)).toEqual(['failed', expect.stringMatching(/connection refused/)]);
  });
});
