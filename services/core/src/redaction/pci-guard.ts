import { redact, type RedactOptions } from './redact.ts';

/**
 * Pause-and-resume for card capture (PCI DSS "pause and resume" recording): while the conversation
 * collects a card number, expiry, security code or PIN, audio and transcript recording are paused;
 * when it moves on they resume. The voice runtime calls `update()` on every dialogue-state change
 * (or every turn) and `observeTranscript()` on every caller transcript, and applies the returned
 * action to its recorder. Every transition is kept (with its time and reason) for the audit trail.
 *
 *   recording --(card slot / card digits heard / pause())--> paused
 *   paused --(no card slot for `resumeAfterTurns` updates / resume() / maxPauseMs)--> recording
 *   any --(end())--> ended
 */
export type PciState = 'recording' | 'paused' | 'ended';
export type PciReason = 'card_slot' | 'card_detected' | 'left_card_slot' | 'timeout' | 'manual' | 'call_ended';

export interface PciConversationState {
  /** The slot being asked for now (null/undefined when none). */
  collectingSlot?: string | null;
  /** Its kind when known (e.g. "card", "cvv", "expiry", "pin", "card_last4"). */
  slotKind?: string | null;
}

export interface PciTransition {
  from: PciState;
  to: PciState;
  reason: PciReason;
  slot?: string;
  at: number;
}

export interface PciDecision {
  action: 'pause' | 'resume' | 'none';
  state: PciState;
  reason?: PciReason;
  /**
   * Card data was already captured in the segment just recorded (the caller read a card number
   * before being asked): the recorder should drop that segment's audio.
   */
  discardCurrentSegment?: boolean;
}

export interface PciGuardOptions {
  /** Which slots are card data (default: names/kinds with card, pan, cvv/cvc/csc, security code, expiry, pin; not last-4). */
  isSensitiveSlot?: (slot: string, kind?: string | null) => boolean;
  /** Updates without a card slot before resuming (default 0: resume as soon as the flow moves on). */
  resumeAfterTurns?: number;
  /** Longest pause before resuming anyway with reason "timeout" (default 10 minutes; Infinity: never). */
  maxPauseMs?: number;
  /** Pause when a card number is heard outside card capture (default true). */
  pauseOnDetectedCard?: boolean;
  now?: () => number;
  onTransition?: (t: PciTransition) => void;
}

const SENSITIVE_RE = /(?:card|pan\b|^pan|cvv|cvc|csc|ccv|security_?code|securitycode|expir|exp_?date|^exp$|pin\b|^pin|passcode)/i;
const NOT_SENSITIVE_RE = /(?:last_?4|last_?four|ending|card_?type|card_?brand|payment_?method|gift_?card)/i;

export function defaultIsSensitiveSlot(slot: string, kind?: string | null): boolean {
  if (kind && ['card', 'card_number', 'cvv', 'expiry', 'pin'].includes(kind)) return true;
  if (kind === 'card_last4') return false;
  return SENSITIVE_RE.test(slot) && !NOT_SENSITIVE_RE.test(slot);
}

export class PciGuard {
  #state: PciState = 'recording';
  #reason: PciReason | undefined;
  #pausedAt = 0;
  #turnsOutside = 0;
  readonly #transitions: PciTransition[] = [];
  readonly #isSensitive: (slot: string, kind?: string | null) => boolean;
  readonly #resumeAfter: number;
  readonly #maxPause: number;
  readonly #pauseOnDetected: boolean;
  readonly #now: () => number;
  readonly #onTransition: ((t: PciTransition) => void) | undefined;

  constructor(opts: PciGuardOptions = {}) {
    this.#isSensitive = opts.isSensitiveSlot ?? defaultIsSensitiveSlot;
    this.#resumeAfter = Math.max(0, opts.resumeAfterTurns ?? 0);
    this.#maxPause = opts.maxPauseMs ?? 10 * 60_000;
    this.#pauseOnDetected = opts.pauseOnDetectedCard ?? true;
    this.#now = opts.now ?? Date.now;
    this.#onTransition = opts.onTransition;
  }

  get state(): PciState {
    return this.#state;
  }

  /** True while audio and transcripts may be recorded. */
  get recording(): boolean {
    return this.#state === 'recording';
  }

  get transitions(): readonly PciTransition[] {
    return this.#transitions;
  }

  /** Options for `redact` that fit the current state (while paused every digit run is card data). */
  redactOptions(): RedactOptions {
    return this.#state === 'paused' ? { pci: true } : {};
  }

  #go(to: PciState, reason: PciReason, slot?: string): PciDecision {
    const from = this.#state;
    if (from === to || from === 'ended') return { action: 'none', state: this.#state };
    this.#state = to;
    this.#reason = reason;
    if (to === 'paused') {
      this.#pausedAt = this.#now();
      this.#turnsOutside = 0;
    }
    const t: PciTransition = { from, to, reason, at: this.#now(), ...(slot ? { slot } : {}) };
    this.#transitions.push(t);
    try {
      this.#onTransition?.(t);
    } catch {
      // A listener's failure must not change what the guard decided.
    }
    return { action: to === 'paused' ? 'pause' : to === 'recording' ? 'resume' : 'none', state: to, reason };
  }

  /** Resume if the pause has lasted longer than maxPauseMs. Called by update/observe; call it from a timer too. */
  tick(): PciDecision {
    if (this.#state === 'paused' && this.#now() - this.#pausedAt >= this.#maxPause) return this.#go('recording', 'timeout');
    return { action: 'none', state: this.#state };
  }

  /** The dialogue state changed (or a turn passed). */
  update(conv: PciConversationState): PciDecision {
    if (this.#state === 'ended') return { action: 'none', state: 'ended' };
    const slot = conv.collectingSlot ?? undefined;
    const sensitive = slot !== undefined && slot !== '' && this.#isSensitive(slot, conv.slotKind);
    if (sensitive) {
      if (this.#state === 'recording') return this.#go('paused', 'card_slot', slot);
      this.#turnsOutside = 0;
      return this.tick();
    }
    if (this.#state === 'paused' && this.#reason !== 'manual') {
      if (this.#turnsOutside >= this.#resumeAfter) return this.#go('recording', 'left_card_slot');
      this.#turnsOutside++;
    }
    return this.tick();
  }

  /** A caller transcript: card digits heard while recording pause it (and ask to drop the segment). */
  observeTranscript(text: string): PciDecision {
    if (this.#state !== 'recording' || !this.#pauseOnDetected) return this.tick();
    let card = false;
    try {
      card = redact(text, { types: ['CARD'] }).findings.length > 0;
    } catch {
      card = false;
    }
    if (!card) return { action: 'none', state: this.#state };
    const d = this.#go('paused', 'card_detected');
    return { ...d, discardCurrentSegment: true };
  }

  pause(): PciDecision {
    return this.#go('paused', 'manual');
  }

  resume(): PciDecision {
    return this.#go('recording', 'manual');
  }

  /** The call ended: recording stays stopped. */
  end(): PciDecision {
    const from = this.#state;
    if (from === 'ended') return { action: 'none', state: 'ended' };
    this.#state = 'ended';
    const t: PciTransition = { from, to: 'ended', reason: 'call_ended', at: this.#now() };
    this.#transitions.push(t);
    try {
      this.#onTransition?.(t);
    } catch {
      // ignored, as above
    }
    return { action: 'none', state: 'ended', reason: 'call_ended' };
  }
}
