import { randomUUID } from 'node:crypto';
import { createLogger, errorMessage, redact, type CallEventRow, type CallOutcome, type Logger, type Stage, type StageLatencyRow, type TurnRow } from '@cc/core';
import type { IngestCallAnalytics } from '@cc/queue';
import type { AsrGrammar, AsrProvider } from '../asr/asr-provider.ts';
import type { InboundMedia, MediaTransport } from '../transport/media-transport.ts';
import { isAbortError, type TtsProvider } from '../tts/tts-provider.ts';
import type { VadEvent, VadOptions, VadProvider, VoiceActivityDetector } from '../vad/vad.ts';
import type { AdmissionLease, CallAdmission } from './admission.ts';
import type { AnalyticsSink } from './analytics-sink.ts';
import { MemoryHandoffStore, type HandoffPackage, type HandoffStore } from './handoff.ts';
import { Playout } from './playout.ts';
import type { PolicyContext, PolicyReply, TurnPolicy } from './policy.ts';
import { HISTORY_LIMIT, type CallSessionState, type SessionStore } from './session-store.ts';
import { nowMs, TimerSet } from './timers.ts';

/**
 * One call through the pipeline:
 *
 *   transport.inbound() ─ caller audio ─▶ VAD ─ speech_end ─▶ ASR ─▶ policy ─▶ TTS (sentence stream)
 *        ▲                                  └ speech_start while the agent speaks: barge-in          │
 *        └──────────── sendAudio (20 ms frames, paced) + mark ◀──────── Playout ◀──────────────────┘
 *
 * Every stage gets an AbortSignal: a barge-in aborts the turn in flight (TTS processes are killed,
 * queued frames dropped, `transport.clear()`); the call's end aborts everything and leaves no timer
 * or child process behind. At the end the call's turns, stage latencies and events go to the
 * analytics sink — also when the call was cut off mid-turn (every completed turn is in it).
 */
export interface CallSessionDeps {
  transport: MediaTransport;
  vad: VadProvider;
  asr: Pick<AsrProvider, 'name' | 'transcribe'>;
  policy: TurnPolicy;
  tts: TtsProvider;
  analytics: AnalyticsSink;
  sessions?: SessionStore;
  handoff?: HandoffStore;
  admission?: CallAdmission;
  logger?: Logger;
}

export interface CallSessionOptions {
  /** Goes on every analytics row. Default `dev`. */
  agentVersion?: string;
  /** This process's id for session affinity. Default: a random id per process. */
  nodeId?: string;
  vad?: Partial<VadOptions>;
  /** TTS voice (flite default `slt`). */
  voice?: string;
  /** Audio sent ahead of real time (what a barge-in has to drop downstream). Default 200 ms. */
  playoutLeadMs?: number;
  /** A mark the transport never echoes counts as played this long after its estimated time. Default 1000 ms. */
  markGraceMs?: number;
  /** Synthesized audio allowed to wait ahead of the transport before the next sentence is pulled. Default 1000 ms. */
  ttsAheadMs?: number;
  /** Speak the policy's greeting when the call starts. Default true. */
  greet?: boolean;
  /** DTMF digits are collected until `#` or this long without a key. Default 2000 ms. */
  dtmfTimeoutMs?: number;
  /** Transfer target when the policy names none. Default `agents`. */
  transferTarget?: string;
  sessionTtlSeconds?: number;
  /** How long call end waits for stages to honour their abort before it goes on regardless. Default 3000 ms. */
  drainTimeoutMs?: number;
  /** Live hook: every call event as it is recorded. */
  onEvent?: (event: CallEventRow) => void;
}

export interface CallMetrics {
  /** End of caller speech → first agent audio frame sent, per answered turn. */
  voiceToVoiceMs: number[];
  /** Caller speech onset (or keypress) → `transport.clear()`, per barge-in. */
  bargeInMs: number[];
  /** Reply text ready → first TTS audio, per agent turn (greeting included). */
  ttsFirstAudioMs: number[];
}

export interface CallSummary {
  admitted: boolean;
  callId: string;
  outcome: CallOutcome;
  reason: string;
  analytics: IngestCallAnalytics;
  metrics: CallMetrics;
}

type TurnInput =
  | { source: 'speech'; pcm: Int16Array; speechStartAt: number; speechEndAt: number; endpointAt: number }
  | { source: 'dtmf'; digits: string; firstKeyAt: number; lastKeyAt: number };

interface ActiveTurn {
  id: number;
  ctl: AbortController;
  /** listening: ASR/policy running; responding: the agent's reply is being synthesized or played. */
  phase: 'listening' | 'responding';
  input?: TurnInput;
  callerRow?: TurnRow;
  agentRow?: TurnRow;
  done?: Promise<void>;
}

interface StageStamp {
  stage: Stage;
  start: number;
  end: number;
}

/** Connector end reasons that mean the call broke rather than the caller leaving (docs/connectors.md). */
const FAILED_END_REASONS = new Set(['protocol_error', 'client_error', 'unauthorized', 'shutdown']);

const PROCESS_NODE_ID = `voice-${randomUUID().slice(0, 8)}`;

export class CallSession {
  readonly callId: string;
  readonly tenantId: string;
  readonly metrics: CallMetrics = { voiceToVoiceMs: [], bargeInMs: [], ttsFirstAudioMs: [] };
  private readonly transport: MediaTransport;
  private readonly log: Logger;
  private readonly opts: CallSessionOptions;
  private readonly agentVersion: string;
  private readonly nodeId: string;
  private readonly timers = new TimerSet();
  private readonly callCtl = new AbortController();
  private readonly playout: Playout;
  private readonly clock = new FrameClock();
  private readonly handoff: HandoffStore;
  private vad: VoiceActivityDetector | undefined;
  private lease: AdmissionLease | undefined;
  private readonly turns: TurnRow[] = [];
  private readonly stageRows: StageLatencyRow[] = [];
  private readonly events: CallEventRow[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private active: ActiveTurn | undefined;
  private turnSeq = 0;
  /** Audio of a turn abandoned because the caller went on speaking: prepended to the next utterance. */
  private carry: { pcm: Int16Array; startAt: number } | undefined;
  private dtmf = '';
  private dtmfFirstAt = 0;
  private dtmfTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private grammar: AsrGrammar | undefined;
  private readonly history: { speaker: 'caller' | 'agent'; text: string; intent?: string }[] = [];
  private readonly policyState: Record<string, unknown> = {};
  private lastIntent = '';
  private slots: Record<string, string> = {};
  private outcome: CallOutcome = 'in_progress';
  private endReason = '';
  private readonly startedAt = nowMs();
  private stopping = false;
  private running = false;
  private finished: Promise<CallSummary> | undefined;
  private saveChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: CallSessionDeps,
    options: CallSessionOptions = {},
  ) {
    this.opts = options;
    this.transport = deps.transport;
    this.callId = deps.transport.call.callId;
    this.tenantId = deps.transport.call.tenantId;
    this.agentVersion = options.agentVersion ?? 'dev';
    this.nodeId = options.nodeId ?? PROCESS_NODE_ID;
    this.log = (deps.logger ?? createLogger({ name: 'voice' })).child({ callId: this.callId });
    this.handoff = deps.handoff ?? new MemoryHandoffStore();
    this.playout = new Playout(this.transport, {
      sampleRate: deps.transport.call.sampleRate,
      timers: this.timers,
      ...(options.playoutLeadMs !== undefined ? { leadMs: options.playoutLeadMs } : {}),
      ...(options.markGraceMs !== undefined ? { markGraceMs: options.markGraceMs } : {}),
    });
  }

  /** Timers the call still holds (0 after the call ended). */
  get activeTimers(): number {
    return this.timers.size;
  }

  /** The call's serialisable state (what the session store keeps). */
  snapshot(): CallSessionState {
    const call = this.transport.call;
    return {
      v: 1,
      callId: this.callId,
      tenantId: this.tenantId,
      connector: call.connector,
      externalCallId: call.externalCallId,
      nodeId: this.nodeId,
      status: this.stopping ? 'ended' : 'active',
      startedAt: new Date(this.startedAt).toISOString(),
      updatedAt: new Date().toISOString(),
      turns: this.turns.length,
      history: this.history.slice(-HISTORY_LIMIT),
      policyState: JSON.parse(JSON.stringify(this.policyState)) as Record<string, unknown>,
      ...(this.grammar ? { grammar: this.grammar } : {}),
      ...(this.outcome !== 'in_progress' ? { outcome: this.outcome } : {}),
    };
  }

  /** Runs the call until the transport ends it, the agent hands it over or hangs up, or `stop()`. */
  async run(): Promise<CallSummary> {
    if (this.running) throw new Error(`call ${this.callId} is already running`);
    this.running = true;
    if (this.deps.admission) {
      this.lease = this.deps.admission.tryAcquire(this.callId);
      if (!this.lease) {
        this.log.warn({ admission: this.deps.admission.stats }, 'call refused: over capacity');
        this.stopping = true;
        this.callCtl.abort('over_capacity');
        await this.transport.hangup('over_capacity').catch((err) => this.log.warn({ err: errorMessage(err) }, 'hangup of a refused call failed'));
        return { admitted: false, callId: this.callId, outcome: 'failed', reason: 'over_capacity', analytics: this.payload(), metrics: this.metrics };
      }
    }
    try {
      const call = this.transport.call;
      this.vad = this.deps.vad.create(call.sampleRate, this.opts.vad);
      this.event('call_started', { connector: call.connector, sampleRate: call.sampleRate, node: this.nodeId });
      if (this.deps.sessions) {
        const owner = await this.deps.sessions.claimAffinity(call.externalCallId, this.nodeId, this.opts.sessionTtlSeconds).catch((err) => {
          this.log.warn({ err: errorMessage(err) }, 'session affinity claim failed');
          return this.nodeId;
        });
        if (owner !== this.nodeId) this.event('affinity_elsewhere', { owner });
      }
      this.saveSession();
      if (this.opts.greet !== false && this.deps.policy.greeting) this.startGreeting();
      for await (const media of untilAborted(this.transport.inbound(), this.callCtl.signal)) {
        if (this.stopping) break;
        await this.onMedia(media);
      }
      if (!this.stopping) this.setEnd('abandoned', 'transport_closed');
    } catch (err) {
      if (!this.callCtl.signal.aborted) {
        this.log.error({ err: errorMessage(err) }, 'call failed');
        this.setEnd('failed', `error: ${errorMessage(err)}`);
      }
    }
    return this.finish();
  }

  /** End the call from outside (shutdown, connector error). */
  stop(reason = 'stopped', outcome: CallOutcome = 'abandoned'): void {
    this.setEnd(outcome, reason);
    this.callCtl.abort(reason);
  }

  private setEnd(outcome: CallOutcome, reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.outcome = outcome;
    this.endReason = reason;
  }

  // ─── inbound ──────────────────────────────────────────────────────────────────────────────────

  private async onMedia(media: InboundMedia): Promise<void> {
    switch (media.type) {
      case 'audio': {
        if (media.channel !== 'caller' || this.paused || !this.vad) return;
        this.clock.note(this.vad.streamMs, nowMs());
        const events = await this.vad.push(media.pcm);
        for (const ev of events) this.onVad(ev);
        return;
      }
      case 'dtmf':
        return this.onDtmf(media.digit);
      case 'mark':
        return this.playout.markPlayed(media.name);
      case 'paused':
      case 'resumed':
        this.paused = media.type === 'paused';
        this.event(media.type, {});
        return;
      case 'ended':
        this.setEnd(FAILED_END_REASONS.has(media.reason) ? 'failed' : 'abandoned', media.reason || 'caller_hangup');
        this.callCtl.abort(media.reason);
        return;
    }
  }

  private onVad(ev: VadEvent): void {
    if (this.stopping) return;
    if (ev.type === 'speech_start') {
      const onsetAt = this.clock.wallAt(ev.startMs);
      if (this.agentSpeaking()) this.bargeIn(onsetAt, 'speech');
      else if (this.active?.phase === 'listening' && this.active.input?.source === 'speech') {
        // The caller went on after a pause the endpointer took for the end: redo the turn with all of it.
        this.carry = { pcm: this.active.input.pcm, startAt: this.active.input.speechStartAt };
        this.event('turn_merged', { turn: this.active.id });
        this.active.ctl.abort('caller_continued');
        this.active = undefined;
      }
      return;
    }
    let pcm = ev.pcm;
    let speechStartAt = this.clock.wallAt(ev.startMs);
    if (this.carry) {
      pcm = concat(this.carry.pcm, ev.pcm);
      speechStartAt = this.carry.startAt;
      this.carry = undefined;
    }
    this.startTurn({ source: 'speech', pcm, speechStartAt, speechEndAt: this.clock.wallAt(ev.endMs), endpointAt: nowMs() });
  }

  private onDtmf(digit: string): void {
    if (this.stopping) return;
    const at = nowMs();
    if (this.agentSpeaking()) this.bargeIn(at, 'dtmf');
    this.timers.clear(this.dtmfTimer);
    this.dtmfTimer = undefined;
    if (digit !== '#') {
      if (!this.dtmf) this.dtmfFirstAt = at;
      this.dtmf += digit;
    }
    const submit = () => {
      this.dtmfTimer = undefined;
      const digits = this.dtmf;
      this.dtmf = '';
      if (digits && !this.stopping) this.startTurn({ source: 'dtmf', digits, firstKeyAt: this.dtmfFirstAt, lastKeyAt: at });
    };
    if (digit === '#') submit();
    else this.dtmfTimer = this.timers.set(submit, this.opts.dtmfTimeoutMs ?? 2000);
  }

  private agentSpeaking(): boolean {
    return this.active?.phase === 'responding' || this.playout.speaking;
  }

  private bargeIn(onsetAt: number, source: 'speech' | 'dtmf'): void {
    // Stop the audio first (that is what the caller hears), then cancel the work behind it.
    this.playout.clear();
    const clearedAt = nowMs();
    const turn = this.active;
    if (turn) {
      turn.ctl.abort('barge_in');
      if (turn.agentRow) turn.agentRow.ended_at = new Date(clearedAt);
      this.active = undefined;
    }
    const latencyMs = Math.max(0, clearedAt - onsetAt);
    this.metrics.bargeInMs.push(latencyMs);
    this.event('barge_in', { source, latencyMs: round(latencyMs), agentTurn: turn?.agentRow?.turn_index ?? null });
  }

  // ─── turns ────────────────────────────────────────────────────────────────────────────────────

  private startTurn(input: TurnInput): void {
    if (this.stopping) return;
    if (this.active) {
      // e.g. keys pressed while a spoken turn was still being understood: the newer input wins.
      this.event('turn_superseded', { turn: this.active.id });
      this.active.ctl.abort('superseded');
      this.active = undefined;
    }
    const turn: ActiveTurn = { id: ++this.turnSeq, ctl: new AbortController(), phase: 'listening', input };
    this.active = turn;
    this.track(turn, this.callerTurn(turn, input));
  }

  private startGreeting(): void {
    const turn: ActiveTurn = { id: ++this.turnSeq, ctl: new AbortController(), phase: 'responding' };
    this.active = turn;
    this.track(turn, this.greetingTurn(turn));
  }

  private track(turn: ActiveTurn, work: Promise<void>): void {
    const done = work
      .catch((err) => {
        if (isAbortError(err) || turn.ctl.signal.aborted || this.callCtl.signal.aborted) return;
        this.log.error({ err: errorMessage(err), turn: turn.id }, 'turn failed');
        this.event('turn_failed', { turn: turn.id, error: errorMessage(err).slice(0, 200) });
      })
      .finally(() => {
        if (this.active === turn) this.active = undefined;
        this.tasks.delete(done);
      });
    turn.done = done;
    this.tasks.add(done);
  }

  private signalFor(turn: ActiveTurn): AbortSignal {
    return AbortSignal.any([turn.ctl.signal, this.callCtl.signal]);
  }

  private async greetingTurn(turn: ActiveTurn): Promise<void> {
    const signal = this.signalFor(turn);
    const reply = await this.deps.policy.greeting!({
      callId: this.callId,
      tenantId: this.tenantId,
      history: this.history,
      parameters: this.transport.call.parameters,
      state: this.policyState,
      signal,
    });
    const stages: StageStamp[] = [];
    try {
      await this.speak(turn, reply.text, signal, stages);
    } finally {
      this.recordStages(turn, stages);
    }
  }

  private async callerTurn(turn: ActiveTurn, input: TurnInput): Promise<void> {
    const signal = this.signalFor(turn);
    const stages: StageStamp[] = [];
    try {
      let text: string;
      let asrConfidence: number | undefined;
      if (input.source === 'speech') {
        stages.push({ stage: 'vad', start: input.speechEndAt, end: input.endpointAt });
        const t0 = nowMs();
        try {
          const res = await raceAbort(this.deps.asr.transcribe(input.pcm, this.transport.call.sampleRate, { ...(this.grammar ? { grammar: this.grammar } : {}), signal }), signal);
          text = res.text;
          asrConfidence = res.confidence;
        } catch (err) {
          if (signal.aborted) throw err;
          // A failed decode is a turn the agent did not understand, not a dead call.
          this.log.warn({ err: errorMessage(err) }, 'ASR failed');
          this.event('asr_failed', { turn: turn.id, error: errorMessage(err).slice(0, 200) });
          text = '';
        }
        stages.push({ stage: 'asr', start: t0, end: nowMs() });
      } else {
        text = input.digits;
      }
      signal.throwIfAborted();
      const redacted = input.source === 'dtmf' ? redact(text, { pci: true }).text : redact(text).text;
      turn.callerRow = this.addTurn('caller', redacted, input.source === 'speech' ? input.speechStartAt : input.firstKeyAt, input.source === 'speech' ? input.speechEndAt : input.lastKeyAt);
      if (input.source === 'dtmf') this.event('dtmf', { turn: turn.callerRow.turn_index, keys: text.length });

      const tp = nowMs();
      const ctx: PolicyContext = {
        callId: this.callId,
        tenantId: this.tenantId,
        turnIndex: turn.callerRow.turn_index,
        source: input.source,
        ...(asrConfidence !== undefined ? { asrConfidence } : {}),
        history: this.history,
        parameters: this.transport.call.parameters,
        state: this.policyState,
        signal,
      };
      const reply = await raceAbort(Promise.resolve(this.deps.policy.respond(text, ctx)), signal);
      stages.push({ stage: 'policy', start: tp, end: nowMs() });
      for (const s of reply.stages ?? []) stages.push({ stage: s.stage, start: s.startedAt, end: s.startedAt + s.durationMs });
      signal.throwIfAborted();
      turn.callerRow.intent = reply.intent ?? '';
      turn.callerRow.confidence = clamp01(reply.confidence ?? asrConfidence ?? 0);
      this.history.push({ speaker: 'caller', text: redacted, ...(reply.intent ? { intent: reply.intent } : {}) });
      if (reply.intent) this.lastIntent = reply.intent;
      if (reply.slots) this.slots = { ...this.slots, ...reply.slots };
      this.grammar = reply.grammar;

      turn.phase = 'responding';
      await this.speak(turn, reply.text, signal, stages, input.source === 'speech' ? input.speechEndAt : undefined);
      this.saveSession();
      // A decision to transfer or hang up stands even if the caller talked over its announcement.
      if (this.callCtl.signal.aborted) return;
      if (reply.escalate) await this.escalate(reply, turn);
      else if (reply.endCall) await this.endByAgent();
    } catch (err) {
      if (turn.ctl.signal.reason === 'caller_continued' && turn.callerRow && !turn.agentRow) {
        // Superseded by the merged turn: its caller row is recorded again with all of the audio.
        const i = this.turns.indexOf(turn.callerRow);
        if (i === this.turns.length - 1) this.turns.pop();
        turn.callerRow = undefined;
        stages.length = 0;
      }
      throw err;
    } finally {
      this.recordStages(turn, stages);
    }
  }

  /**
   * Synthesize and play `text`. Resolves 'played' when playback finished, 'interrupted' on barge-in;
   * rejects when the call ends.
   */
  private async speak(turn: ActiveTurn, text: string, signal: AbortSignal, stages: StageStamp[], callerSpeechEnd?: number): Promise<'played' | 'interrupted'> {
    const t0 = nowMs();
    let firstAudio: number | undefined;
    let firstFrame: number | undefined;
    this.playout.onFrameSent = (at) => {
      if (firstFrame !== undefined || this.active !== turn) return;
      firstFrame = at;
      if (callerSpeechEnd !== undefined) this.metrics.voiceToVoiceMs.push(Math.max(0, at - callerSpeechEnd));
    };
    try {
      for await (const chunk of this.deps.tts.synthesize({ text, sampleRate: this.transport.call.sampleRate, ...(this.opts.voice ? { voice: this.opts.voice } : {}), signal })) {
        signal.throwIfAborted();
        if (firstAudio === undefined) {
          firstAudio = nowMs();
          stages.push({ stage: 'tts', start: t0, end: firstAudio });
          this.metrics.ttsFirstAudioMs.push(firstAudio - t0);
          turn.agentRow = this.addTurn('agent', redact(text).text, firstAudio, firstAudio);
          turn.agentRow.intent = '';
          this.history.push({ speaker: 'agent', text: turn.agentRow.text_redacted });
        }
        this.playout.enqueue(chunk.pcm);
        if (firstFrame !== undefined && !stages.some((s) => s.stage === 'transport')) stages.push({ stage: 'transport', start: firstAudio, end: firstFrame });
        // Synthesize only a little ahead of playback: a barge-in then cancels the rest of the reply unsynthesized.
        if (!chunk.last) await raceAbort(this.playout.waitQueuedBelow(this.opts.ttsAheadMs ?? 1000), signal);
        signal.throwIfAborted();
      }
      if (!turn.agentRow) return 'played'; // nothing to say
      const outcome = await raceAbort(this.playout.mark(`agent-turn-${turn.agentRow.turn_index}`), signal);
      turn.agentRow.ended_at = new Date(nowMs());
      if (outcome === 'cleared') return 'interrupted';
      return 'played';
    } catch (err) {
      if (turn.ctl.signal.reason === 'barge_in' && !this.callCtl.signal.aborted) return 'interrupted';
      if (turn.agentRow && this.callCtl.signal.aborted) turn.agentRow.ended_at = new Date(nowMs());
      throw err;
    } finally {
      if (firstFrame !== undefined && firstAudio !== undefined && !stages.some((s) => s.stage === 'transport')) stages.push({ stage: 'transport', start: firstAudio, end: firstFrame });
    }
  }

  private async escalate(reply: PolicyReply, turn: ActiveTurn): Promise<void> {
    const reason = reply.escalate!.reason;
    const call = this.transport.call;
    const pkg: HandoffPackage = {
      id: randomUUID(),
      callId: this.callId,
      tenantId: this.tenantId,
      externalCallId: call.externalCallId,
      reason,
      intent: this.lastIntent,
      slots: Object.fromEntries(Object.entries(this.slots).map(([k, v]) => [k, redact(v).text])),
      transcript: this.history.map((h) => ({ speaker: h.speaker, text: h.text })),
      summary: `Caller ${this.lastIntent ? `intent: ${this.lastIntent}` : 'intent unknown'}; ${this.turns.length} turns; transfer reason: ${reason}.`,
      createdAt: new Date().toISOString(),
    };
    const contextId = await this.handoff.save(pkg);
    this.setEnd('escalated', `transfer: ${reason}`);
    this.event('escalated', { reason, contextId, turn: turn.callerRow?.turn_index ?? null });
    try {
      await this.transport.transfer({
        target: reply.escalate!.target ?? this.opts.transferTarget ?? 'agents',
        reason,
        contextId,
        variables: { contextId, reason, intent: this.lastIntent },
      });
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'transfer failed');
      this.event('transfer_failed', { error: errorMessage(err).slice(0, 200) });
      this.outcome = 'failed';
    }
    this.callCtl.abort('transferred');
  }

  private async endByAgent(): Promise<void> {
    this.setEnd('contained', 'agent_hangup');
    await this.transport.hangup('completed').catch((err) => this.log.warn({ err: errorMessage(err) }, 'hangup failed'));
    this.callCtl.abort('agent_hangup');
  }

  // ─── records ──────────────────────────────────────────────────────────────────────────────────

  private addTurn(speaker: 'caller' | 'agent', text: string, startedAt: number, endedAt: number): TurnRow {
    const row: TurnRow = {
      tenant_id: this.tenantId,
      call_id: this.callId,
      turn_index: this.turns.length,
      agent_version: this.agentVersion,
      speaker,
      text_redacted: text,
      intent: '',
      confidence: 0,
      started_at: new Date(startedAt),
      ended_at: new Date(endedAt),
    };
    this.turns.push(row);
    return row;
  }

  /** Stage rows go on the agent's turn (the reply they produced), or the caller's when no reply started. */
  private recordStages(turn: ActiveTurn, stages: StageStamp[]): void {
    const row = turn.agentRow ?? turn.callerRow;
    if (!row) return;
    for (const s of stages) {
      this.stageRows.push({
        tenant_id: this.tenantId,
        call_id: this.callId,
        turn_index: row.turn_index,
        agent_version: this.agentVersion,
        stage: s.stage,
        started_at: new Date(s.start),
        duration_ms: round(Math.max(0, s.end - s.start)),
      });
    }
  }

  private event(type: string, payload: Record<string, unknown>): void {
    const row: CallEventRow = {
      tenant_id: this.tenantId,
      call_id: this.callId,
      seq: this.events.length,
      agent_version: this.agentVersion,
      event_type: type,
      at: new Date(),
      payload: JSON.stringify(payload),
    };
    this.events.push(row);
    this.opts.onEvent?.(row);
  }

  private saveSession(ttlSeconds?: number): void {
    const store = this.deps.sessions;
    if (!store) return;
    const state = this.snapshot();
    this.saveChain = this.saveChain.then(() => store.save(state, ttlSeconds ?? this.opts.sessionTtlSeconds)).catch((err) => this.log.warn({ err: errorMessage(err) }, 'session save failed'));
  }

  private payload(): IngestCallAnalytics {
    return { tenantId: this.tenantId, callId: this.callId, turns: this.turns, stageLatency: this.stageRows, events: this.events };
  }

  // ─── end ──────────────────────────────────────────────────────────────────────────────────────

  private finish(): Promise<CallSummary> {
    this.finished ??= this.doFinish();
    return this.finished;
  }

  private async doFinish(): Promise<CallSummary> {
    this.setEnd('abandoned', 'ended');
    if (!this.callCtl.signal.aborted) this.callCtl.abort(this.endReason);
    this.timers.clear(this.dtmfTimer);
    this.playout.close();
    // Every stage was aborted; wait for them to unwind (so their completed rows are in), but not forever.
    if (this.tasks.size) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.allSettled([...this.tasks]).then(() => true),
        new Promise<false>((resolve) => (timer = this.timers.set(() => resolve(false), this.opts.drainTimeoutMs ?? 3000))),
      ]);
      this.timers.clear(timer);
      if (!drained) this.log.warn({ tasks: this.tasks.size }, 'call ended with stages that ignored their abort');
    }
    this.timers.clearAll();
    this.event('call_ended', { outcome: this.outcome, reason: this.endReason, turns: this.turns.length });
    if (this.deps.sessions) {
      this.saveSession(300);
      const sessions = this.deps.sessions;
      this.saveChain = this.saveChain.then(() => sessions.releaseAffinity(this.transport.call.externalCallId, this.nodeId)).catch(() => {});
      await this.saveChain;
    }
    const analytics = this.payload();
    try {
      await this.deps.analytics.emitCall(analytics);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'call analytics could not be emitted');
    }
    this.lease?.release();
    return { admitted: true, callId: this.callId, outcome: this.outcome, reason: this.endReason, analytics, metrics: this.metrics };
  }
}

/** Wall-clock arrival of caller audio, so VAD stream times map to when the runtime had that audio. */
class FrameClock {
  private ms: number[] = [];
  private at: number[] = [];

  note(streamMs: number, at: number): void {
    this.ms.push(streamMs);
    this.at.push(at);
    if (this.ms.length > 8000) {
      this.ms = this.ms.slice(-4000);
      this.at = this.at.slice(-4000);
    }
  }

  /** Arrival time of the frame that carried stream time `ms`. */
  wallAt(ms: number): number {
    let lo = 0;
    let hi = this.ms.length - 1;
    if (hi < 0) return nowMs();
    if (ms < this.ms[0]!) return this.at[0]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.ms[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return this.at[lo]!;
  }
}

/** Iterate until the source ends or `signal` aborts (then the source's iterator is returned). */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException(String(signal.reason), 'AbortError'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort!);
    void Promise.resolve(it.return?.()).catch(() => {});
  }
}

/** `p`, or an AbortError as soon as `signal` aborts (for stages that might not honour it promptly). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(new DOMException(String(signal.reason), 'AbortError'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException(String(signal.reason), 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round = (x: number) => Math.round(x * 10) / 10;
