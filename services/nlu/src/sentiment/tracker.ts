import { scoreSentiment, type SentimentOptions, type SentimentResult } from './score.ts';

/**
 * A call's sentiment over time, from the caller's turns, and when to escalate:
 * - the caller asks for a manager or a human (immediately: `asked_for_human`);
 * - negativity persists: at least `minNegativeTurns` of the last `window` caller turns are
 *   negative (`persistent_negative`), or the smoothed score (EWMA) is at or below
 *   `ewmaThreshold` after at least two turns (`sustained_low`);
 * - the caller says again that this is a repeat contact (`repeat_contact`, two turns with the
 *   repeat signal) or threatens to leave while negative (`churn_risk`).
 * Agent turns are ignored. `escalatedAt` keeps the first caller turn at which escalation was due.
 */
export interface SentimentTrackerOptions extends SentimentOptions {
  /** Caller turns looked at (default 4). */
  window?: number;
  /** Negative turns within the window that mean "persistent" (default 3). */
  minNegativeTurns?: number;
  /** A turn counts as negative at or below this score (default −0.25). */
  negativeScore?: number;
  /** Smoothing of the running score (default 0.5: each turn weighs half). */
  alpha?: number;
  /** Escalate when the smoothed score is at or below this (default −0.5). */
  ewmaThreshold?: number;
}

export type EscalationReason = 'asked_for_human' | 'persistent_negative' | 'sustained_low' | 'repeat_contact' | 'churn_risk';

export interface TrackerState {
  /** Caller turns seen. */
  turns: number;
  last?: SentimentResult;
  /** Smoothed score −1 … 1 (0 before the first turn). */
  ewma: number;
  /** Last turn's score minus the score `window` turns earlier (negative: getting worse). */
  trend: number;
  /** Negative caller turns in a row, up to now. */
  negativeStreak: number;
  negativeInWindow: number;
  shouldEscalate: boolean;
  reasons: EscalationReason[];
  /** 1-based caller turn at which escalation was first due. */
  escalatedAt?: number;
}

export class SentimentTracker {
  readonly #opts: Required<Pick<SentimentTrackerOptions, 'window' | 'minNegativeTurns' | 'negativeScore' | 'alpha' | 'ewmaThreshold'>> & SentimentOptions;
  #scores: number[] = [];
  #results: SentimentResult[] = [];
  #ewma = 0;
  #streak = 0;
  #repeatTurns = 0;
  #escalatedAt: number | undefined;
  #state: TrackerState;

  constructor(opts: SentimentTrackerOptions = {}) {
    this.#opts = {
      ...opts,
      window: Math.max(1, opts.window ?? 4),
      minNegativeTurns: Math.max(1, opts.minNegativeTurns ?? 3),
      negativeScore: opts.negativeScore ?? -0.25,
      alpha: Math.min(1, Math.max(0.01, opts.alpha ?? 0.5)),
      ewmaThreshold: opts.ewmaThreshold ?? -0.5,
    };
    this.#state = { turns: 0, ewma: 0, trend: 0, negativeStreak: 0, negativeInWindow: 0, shouldEscalate: false, reasons: [] };
  }

  get state(): TrackerState {
    return this.#state;
  }

  /** The scores of the caller turns so far. */
  get history(): readonly SentimentResult[] {
    return this.#results;
  }

  /** Add a turn (text, or a score already computed). Agent turns change nothing. */
  add(turn: string | SentimentResult, speaker: 'caller' | 'customer' | 'agent' = 'caller'): TrackerState {
    if (speaker === 'agent') return this.#state;
    const r = typeof turn === 'string' ? scoreSentiment(turn, this.#opts) : turn;
    const o = this.#opts;
    this.#results.push(r);
    this.#scores.push(r.score);
    const n = this.#scores.length;
    this.#ewma = n === 1 ? r.score : o.alpha * r.score + (1 - o.alpha) * this.#ewma;
    const negative = r.score <= o.negativeScore;
    this.#streak = negative ? this.#streak + 1 : 0;
    if (r.signals.repeat) this.#repeatTurns++;
    const recent = this.#scores.slice(-o.window);
    const negativeInWindow = recent.filter((s) => s <= o.negativeScore).length;
    const trend = n > 1 ? r.score - this.#scores[Math.max(0, n - 1 - o.window)]! : 0;

    const reasons: EscalationReason[] = [];
    if (r.signals.escalation && r.score < 0) reasons.push('asked_for_human');
    if (negativeInWindow >= Math.min(o.minNegativeTurns, o.window)) reasons.push('persistent_negative');
    if (n >= 2 && this.#ewma <= o.ewmaThreshold) reasons.push('sustained_low');
    if (this.#repeatTurns >= 2 && negative) reasons.push('repeat_contact');
    if (r.signals.churn && negative) reasons.push('churn_risk');
    const shouldEscalate = reasons.length > 0;
    if (shouldEscalate && this.#escalatedAt === undefined) this.#escalatedAt = n;
    this.#state = {
      turns: n,
      last: r,
      ewma: Math.round(this.#ewma * 10_000) / 10_000,
      trend: Math.round(trend * 10_000) / 10_000,
      negativeStreak: this.#streak,
      negativeInWindow,
      shouldEscalate,
      reasons,
      ...(this.#escalatedAt !== undefined ? { escalatedAt: this.#escalatedAt } : {}),
    };
    return this.#state;
  }

  reset(): void {
    this.#scores = [];
    this.#results = [];
    this.#ewma = 0;
    this.#streak = 0;
    this.#repeatTurns = 0;
    this.#escalatedAt = undefined;
    this.#state = { turns: 0, ewma: 0, trend: 0, negativeStreak: 0, negativeInWindow: 0, shouldEscalate: false, reasons: [] };
  }
}
