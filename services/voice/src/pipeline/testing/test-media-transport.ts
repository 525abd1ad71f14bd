import type { CallInfo, InboundMedia, MediaTransport, TransferRequest } from '../../transport/media-transport.ts';

/**
 * TEST TRANSPORT — an in-memory stand-in for a CCaaS connector, for pipeline tests and simulations.
 * It behaves like a phone line: inbound caller audio flows in real time as 20 ms frames (silence
 * when the script has nothing to say), DTMF and hang-up arrive in order; agent audio is "played" in
 * real time by a simulated far end that echoes marks when playback reaches them, and `clear()`
 * drops whatever it had buffered. Everything the pipeline does is recorded.
 */
export class TestMediaTransport implements MediaTransport {
  readonly call: CallInfo;
  readonly frameMs = 20;
  /** Agent audio frames as sent, with wall time (ms, performance clock). */
  readonly sent: { at: number; pcm: Int16Array }[] = [];
  readonly marks: { at: number; name: string }[] = [];
  readonly echoedMarks: string[] = [];
  readonly clears: number[] = [];
  readonly transfers: TransferRequest[] = [];
  readonly hangups: string[] = [];
  /** Wall times at which scripted caller speech began (first frame of each `say`). */
  readonly speechStarts: number[] = [];
  private script: ({ kind: 'audio'; pcm: Int16Array; first: boolean } | { kind: 'dtmf'; digit: string } | { kind: 'end'; reason: string })[] = [];
  private injected: InboundMedia[] = [];
  private farEndEnd = 0;
  private readonly markTimers = new Set<NodeJS.Timeout>();
  private done = false;
  private started = 0;

  constructor(call: Partial<CallInfo> = {}) {
    this.call = {
      callId: call.callId ?? `test-call-${Math.random().toString(36).slice(2, 10)}`,
      connector: call.connector ?? 'generic',
      externalCallId: call.externalCallId ?? `ext-${Math.random().toString(36).slice(2, 10)}`,
      tenantId: call.tenantId ?? 'test-tenant',
      parameters: call.parameters ?? {},
      sampleRate: call.sampleRate ?? 8000,
      channels: call.channels ?? ['caller'],
      ...(call.from ? { from: call.from } : {}),
    };
  }

  private get frameSamples(): number {
    return (this.call.sampleRate * this.frameMs) / 1000;
  }

  // ─── the caller's side (the test drives these) ───

  /** The caller says `pcm` (at the call's rate), after whatever is already scripted. */
  say(pcm: Int16Array, mark = true): void {
    for (let o = 0; o < pcm.length; o += this.frameSamples) {
      const frame = new Int16Array(this.frameSamples);
      frame.set(pcm.subarray(o, o + this.frameSamples));
      this.script.push({ kind: 'audio', pcm: frame, first: mark && o === 0 });
    }
  }

  silence(ms: number): void {
    this.say(new Int16Array(Math.round((ms * this.call.sampleRate) / 1000)), false);
  }

  press(keys: string): void {
    for (const digit of keys) this.script.push({ kind: 'dtmf', digit });
  }

  /** The caller hangs up now (ahead of anything still scripted). */
  hangUp(reason = 'caller_hangup'): void {
    this.script = [{ kind: 'end', reason }];
  }

  /** Scripted caller audio not yet delivered, in ms. */
  get pendingMs(): number {
    return this.script.filter((s) => s.kind === 'audio').length * this.frameMs;
  }

  get sentMs(): number {
    return this.sent.length * this.frameMs;
  }

  get ended(): boolean {
    return this.done;
  }

  // ─── MediaTransport ───

  async *inbound(): AsyncGenerator<InboundMedia> {
    this.started = performance.now();
    let n = 0;
    try {
      while (!this.done) {
        while (this.injected.length) yield this.injected.shift()!;
        const item = this.script[0]?.kind !== 'audio' ? this.script.shift() : undefined;
        if (item?.kind === 'dtmf') {
          yield { type: 'dtmf', digit: item.digit, atMs: performance.now() - this.started };
          continue;
        }
        if (item?.kind === 'end') {
          this.finish();
          yield { type: 'ended', reason: item.reason, atMs: performance.now() - this.started };
          return;
        }
        // Real time: frame n is due at n * 20 ms.
        const wait = this.started + n * this.frameMs - performance.now();
        if (wait > 0) await sleep(wait);
        if (this.done) break;
        const next = this.script[0]?.kind === 'audio' ? (this.script.shift() as { kind: 'audio'; pcm: Int16Array; first: boolean }) : undefined;
        if (next?.first) this.speechStarts.push(performance.now());
        n++;
        yield { type: 'audio', channel: 'caller', pcm: next?.pcm ?? new Int16Array(this.frameSamples), atMs: n * this.frameMs };
      }
    } finally {
      this.finish();
    }
  }

  sendAudio(pcm: Int16Array): void {
    if (this.done) throw new Error('sendAudio after the call ended');
    const now = performance.now();
    this.sent.push({ at: now, pcm });
    this.farEndEnd = Math.max(this.farEndEnd, now) + (pcm.length * 1000) / this.call.sampleRate;
  }

  mark(name: string): void {
    const now = performance.now();
    this.marks.push({ at: now, name });
    const t = setTimeout(() => {
      this.markTimers.delete(t);
      this.echoedMarks.push(name);
      this.injected.push({ type: 'mark', name, atMs: performance.now() - this.started });
    }, Math.max(0, this.farEndEnd - now));
    this.markTimers.add(t);
  }

  clear(): void {
    this.clears.push(performance.now());
    this.farEndEnd = 0;
    for (const t of this.markTimers) clearTimeout(t);
    this.markTimers.clear();
  }

  async transfer(request: TransferRequest): Promise<void> {
    this.transfers.push(request);
    this.script = [{ kind: 'end', reason: 'transferred' }];
  }

  async hangup(reason: string): Promise<void> {
    this.hangups.push(reason);
    this.script = [{ kind: 'end', reason: 'agent_hangup' }];
  }

  private finish(): void {
    this.done = true;
    for (const t of this.markTimers) clearTimeout(t);
    this.markTimers.clear();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
