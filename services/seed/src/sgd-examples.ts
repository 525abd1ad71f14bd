import { sha256Hex } from '@cc/core';
import type { SgdIntentExample } from './sources.ts';

/**
 * Selection of intent-training examples from SGD dialogues (used by
 * scripts/extract-sgd-examples.ts; pure, so the rule is tested here).
 *
 * Rule, per dialogue in file order: a USER turn is a candidate for (service, intent) when, in that
 * service's frame, `state.active_intent` is not NONE and differs from the previous user turn's
 * (first appearance or change) AND the frame's actions carry INFORM_INTENT for that intent — the
 * caller states the intent in words. Intent changes by bare AFFIRM_INTENT ("Yes, please do.") are
 * left out: they carry no intent wording. Turns where two services change intent at once are
 * ambiguous and skipped. Texts are whitespace-normalised and de-duplicated per intent
 * (case-insensitive).
 *
 * Per intent, examples come from the FIRST split in SPLIT_ORDER that has any candidate (so train
 * is used whenever it covers the intent, and test material is used only for services that occur
 * in no other split — Payment_1 and Trains_1); within it, candidates are ordered by
 * sha256(`dialogue_id:turn`) and the first `perIntent` are kept — deterministic and spread over
 * the whole split rather than its first files.
 */

export const SPLIT_ORDER = ['train', 'dev', 'test'] as const;
export type Split = (typeof SPLIT_ORDER)[number];
export const DEFAULT_PER_INTENT = 40;

/** The part of an SGD dialogue the selection reads. */
export interface SgdDialogueLike {
  dialogue_id: string;
  turns: Array<{
    speaker: string;
    utterance: string;
    frames: Array<{
      service: string;
      actions: Array<{ act: string; values?: string[] }>;
      state?: { active_intent: string };
    }>;
  }>;
}

/** Candidate examples of one dialogue, in turn order. */
export function dialogueCandidates(dialogue: SgdDialogueLike, split: Split, services: ReadonlySet<string>): SgdIntentExample[] {
  const previous = new Map<string, string>();
  const out: SgdIntentExample[] = [];
  dialogue.turns.forEach((turn, index) => {
    if (turn.speaker !== 'USER') return;
    const changed: Array<{ service: string; intent: string; stated: boolean }> = [];
    for (const frame of turn.frames) {
      const intent = frame.state?.active_intent ?? 'NONE';
      if (intent !== 'NONE' && previous.get(frame.service) !== intent) {
        const stated = frame.actions.some((a) => a.act === 'INFORM_INTENT' && (a.values ?? []).includes(intent));
        changed.push({ service: frame.service, intent, stated });
      }
      previous.set(frame.service, intent);
    }
    if (changed.length !== 1) return;
    const [c] = changed;
    if (!c || !c.stated || !services.has(c.service)) return;
    const text = turn.utterance.replace(/\s+/g, ' ').trim();
    if (text) out.push({ service: c.service, intent: c.intent, text, split, dialogue_id: dialogue.dialogue_id, turn: index });
  });
  return out;
}

/** Streaming accumulator: feed dialogues split by split, then `select()`. */
export class ExampleSelector {
  private readonly candidates = new Map<string, Map<Split, SgdIntentExample[]>>();

  constructor(private readonly services: readonly string[]) {}

  add(dialogue: SgdDialogueLike, split: Split): void {
    for (const ex of dialogueCandidates(dialogue, split, new Set(this.services))) {
      const key = `${ex.service}/${ex.intent}`;
      let bySplit = this.candidates.get(key);
      if (!bySplit) this.candidates.set(key, (bySplit = new Map()));
      const list = bySplit.get(split) ?? [];
      list.push(ex);
      bySplit.set(split, list);
    }
  }

  /**
   * The selected examples, grouped by service (in the order given), then by intent (in `intentOrder`
   * if given, else by name). Intents with no candidate are absent.
   */
  select(perIntent = DEFAULT_PER_INTENT, intentOrder: readonly string[] = []): SgdIntentExample[] {
    const rank = (intent: string) => {
      const i = intentOrder.indexOf(intent);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    const keys = [...this.candidates.keys()].sort((a, b) => {
      const [sa = '', ia = ''] = a.split('/');
      const [sb = '', ib = ''] = b.split('/');
      return this.services.indexOf(sa) - this.services.indexOf(sb) || rank(ia) - rank(ib) || ia.localeCompare(ib);
    });
    const out: SgdIntentExample[] = [];
    for (const key of keys) {
      const bySplit = this.candidates.get(key)!;
      const split = SPLIT_ORDER.find((s) => (bySplit.get(s)?.length ?? 0) > 0);
      if (!split) continue;
      const ordered = [...bySplit.get(split)!]
        .map((ex) => ({ ex, h: sha256Hex(`${ex.dialogue_id}:${ex.turn}`) }))
        .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
        .map(({ ex }) => ex);
      const seen = new Set<string>();
      for (const ex of ordered) {
        const norm = ex.text.toLowerCase();
        if (seen.has(norm)) continue;
        seen.add(norm);
        out.push(ex);
        if (seen.size >= perIntent) break;
      }
    }
    return out;
  }
}
