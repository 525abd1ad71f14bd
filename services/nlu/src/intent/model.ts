/**
 * A trained intent model in memory: features → logits → calibrated probabilities → decision.
 * `classify` never throws: empty, garbage, over-long or foreign-language input comes back out of
 * scope with confidence 0.
 */
import type { Vectorizer } from './features.ts';
import { normalizeWords } from './normalize.ts';
import { netLogits, softmaxInPlace, type NetWeights } from './nets.ts';

export interface IntentScore {
  intent: string;
  /** Calibrated probability. */
  p: number;
}

export type DecisionReason =
  /** Accepted: the top intent's calibrated probability reached its threshold. */
  | 'accepted'
  /** Rejected: below the top intent's threshold. */
  | 'below_threshold'
  /** Rejected: the model's own out-of-scope class (trained from examples labelled `oos`) won. */
  | 'oos_class'
  /** Rejected before the model: nothing left after normalisation. */
  | 'empty'
  /** Rejected before the model: longer than `guard.maxChars`. */
  | 'too_long'
  /** Rejected before the model: too few of the words were ever seen in training (garbage, another language). */
  | 'unknown_words';

export interface IntentPrediction {
  /** The recognised intent, or null when out of scope. */
  intent: string | null;
  /** Calibrated probability of the top intent (0 when rejected before the model). */
  confidence: number;
  outOfScope: boolean;
  /** Best in-scope intents, most likely first (empty when rejected before the model). */
  top: IntentScore[];
  reason: DecisionReason;
}

export interface Guard {
  /** Longer utterances (characters) are out of scope: not one caller turn. */
  maxChars: number;
  /** Share of words that must be known to the vocabulary. */
  minCoverage: number;
}

export const DEFAULT_GUARD: Guard = { maxChars: 1000, minCoverage: 0.3 };

export interface IntentModelParts {
  name: string;
  /** All classes of the net; `oosClass` (if any) is the index of the out-of-scope class. */
  labels: string[];
  oosClass: number | null;
  vectorizer: Vectorizer;
  net: NetWeights;
  temperature: number;
  /** Per class (the oos class' entry unused). */
  thresholds: Float64Array;
  guard: Guard;
}

export class IntentModel {
  readonly name: string;
  readonly labels: string[];
  readonly oosClass: number | null;
  readonly vectorizer: Vectorizer;
  readonly net: NetWeights;
  readonly temperature: number;
  readonly thresholds: Float64Array;
  readonly guard: Guard;
  private readonly z: Float32Array;
  private readonly h: Float32Array;

  constructor(parts: IntentModelParts) {
    this.name = parts.name;
    this.labels = parts.labels;
    this.oosClass = parts.oosClass;
    this.vectorizer = parts.vectorizer;
    this.net = parts.net;
    this.temperature = parts.temperature;
    this.thresholds = parts.thresholds;
    this.guard = parts.guard;
    this.z = new Float32Array(parts.labels.length);
    this.h = new Float32Array(parts.net.hidden);
  }

  /** In-scope intent names. */
  get intents(): string[] {
    return this.labels.filter((_, i) => i !== this.oosClass);
  }

  threshold(intent: string): number | undefined {
    const i = this.labels.indexOf(intent);
    return i < 0 || i === this.oosClass ? undefined : this.thresholds[i];
  }

  /** Raw logits of already-normalised words, with the vocabulary coverage of the utterance. */
  logitsOf(words: string[]): { logits: Float32Array; coverage: number } {
    const row = this.vectorizer.transform(words);
    netLogits(this.net, row, this.z, this.h);
    return { logits: Float32Array.from(this.z), coverage: row.tokenCoverage };
  }

  classify(text: unknown, topK = 3): IntentPrediction {
    try {
      return this.classifyUnsafe(text, topK);
    } catch {
      return { intent: null, confidence: 0, outOfScope: true, top: [], reason: 'empty' };
    }
  }

  private classifyUnsafe(text: unknown, topK: number): IntentPrediction {
    const reject = (reason: DecisionReason, top: IntentScore[] = []): IntentPrediction => ({ intent: null, confidence: 0, outOfScope: true, top, reason });
    if (typeof text !== 'string') return reject('empty');
    if (text.length > this.guard.maxChars) return reject('too_long');
    const words = normalizeWords(text, { maxChars: this.guard.maxChars });
    if (!words.length) return reject('empty');
    const { logits, coverage } = this.logitsOf(words);
    const p = new Float64Array(logits.length);
    for (let i = 0; i < p.length; i++) p[i] = logits[i]! / this.temperature;
    softmaxInPlace(p);
    const order: number[] = [];
    for (let c = 0; c < p.length; c++) if (c !== this.oosClass) order.push(c);
    order.sort((a, b) => p[b]! - p[a]!);
    const top = order.slice(0, Math.max(1, topK)).map((c) => ({ intent: this.labels[c]!, p: p[c]! }));
    if (coverage < this.guard.minCoverage) return reject('unknown_words', top);
    const best = order[0]!;
    const confidence = p[best]!;
    if (this.oosClass !== null && p[this.oosClass]! > confidence) return { intent: null, confidence, outOfScope: true, top, reason: 'oos_class' };
    if (confidence < this.thresholds[best]!) return { intent: null, confidence, outOfScope: true, top, reason: 'below_threshold' };
    return { intent: this.labels[best]!, confidence, outOfScope: false, top, reason: 'accepted' };
  }
}
