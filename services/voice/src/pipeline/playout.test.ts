import { describe, expect, test } from 'vitest';
import { Playout } from './playout.ts';
import { TimerSet } from './timers.ts';

class RecordingTransport {
  readonly log: string[] = [];
  frames = 0;
  sendAudio(pcm: Int16Array) {
    this.frames++;
    this.log.push(`audio:${pcm.length}`);
  }
  mark(name: string) {
    this.log.push(`mark:${name}`);
  }
  clear() {
    this.log.push('clear');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Playout', () => {
  test('cuts audio into 20 ms frames, sends a lead ahead of real time, then paces', async () => {
    const t = new RecordingTransport();
    const timers = new TimerSet();
    const p = new Playout(t, { sampleRate: 8000, leadMs: 100, timers });
    p.enqueue(new Int16Array(8000 + 37)); // 1 s and a bit
    expect(t.frames).toBe(5); // 100 ms lead at once
    expect(p.speaking).toBe(true);
    await sleep(210);
    expect(t.frames).toBeGreaterThanOrEqual(13);
    expect(t.frames).toBeLessThanOrEqual(18);
    const done = p.mark('end');
    expect(p.queuedMs).toBeGreaterThan(0);
    p.clear(); // barge-in
    expect(await done).toBe('cleared');
    const after = t.frames;
    await sleep(60);
    expect(t.frames).toBe(after);
    expect(t.log.at(-1)).toBe('clear');
    expect(t.log.filter((l) => l.startsWith('audio')).every((l) => l === 'audio:160')).toBe(true);
    expect(timers.size).toBe(0);
    p.close();
  });

  test('marks follow their audio and resolve when the transport echoes them (or by estimate)', async () => {
    const t = new RecordingTransport();
    const timers = new TimerSet();
    const p = new Playout(t, { sampleRate: 8000, leadMs: 1000, markGraceMs: 50, timers });
    p.enqueue(new Int16Array(100)); // a partial frame: padded when the mark comes
    const echoed = p.mark('a');
    expect(t.log).toEqual(['audio:160', 'mark:a']);
    p.markPlayed('a');
    expect(await echoed).toBe('played');
    p.enqueue(new Int16Array(160));
    const estimated = p.mark('b'); // never echoed: ~20 ms of audio + 50 ms grace
    const t0 = performance.now();
    expect(await estimated).toBe('estimated');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    p.close();
    expect(await p.mark('c')).toBe('closed');
    expect(timers.size).toBe(0);
  });

  test('backpressure: waitQueuedBelow resolves as frames go out, and on clear', async () => {
    const t = new RecordingTransport();
    const p = new Playout(t, { sampleRate: 8000, leadMs: 40 });
    p.enqueue(new Int16Array(8 * 300)); // 300 ms
    const t0 = performance.now();
    expect(await p.waitQueuedBelow(200)).toBe('ready');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    const w = p.waitQueuedBelow(10);
    p.clear();
    expect(await w).toBe('cleared');
    p.close();
  });
});
