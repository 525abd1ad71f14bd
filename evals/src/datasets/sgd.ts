import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseOrThrow } from '@cc/core';
import { sharedDataPath } from './shared-data.ts';

/** Schema-Guided Dialogue (CC BY-SA 4.0): the USER side is the caller, the SYSTEM side the agent. */
const Action = z.object({ act: z.string(), slot: z.string(), values: z.array(z.string()), canonical_values: z.array(z.string()).optional() });
const Frame = z.object({
  service: z.string(),
  actions: z.array(Action),
  state: z.object({ active_intent: z.string(), requested_slots: z.array(z.string()), slot_values: z.record(z.string(), z.array(z.string())) }).optional(),
  service_call: z.object({ method: z.string(), parameters: z.record(z.string(), z.string()) }).optional(),
});
const RawDialogue = z.object({
  dialogue_id: z.string(),
  services: z.array(z.string()),
  turns: z.array(z.object({ speaker: z.enum(['USER', 'SYSTEM']), utterance: z.string(), frames: z.array(Frame) })),
});

export interface DialogueAction {
  act: string;
  slot: string;
  values: string[];
}

export interface DialogueTurn {
  index: number;
  speaker: 'caller' | 'agent';
  text: string;
  /** Caller turns: the active intent of the turn's first frame (`NONE` when none is pursued). */
  intent?: string;
  /** Caller turns: slot values accumulated so far. */
  slots?: Record<string, string[]>;
  /** Agent turns: the annotated actions (REQUEST, OFFER, CONFIRM, INFORM, NOTIFY_SUCCESS, ...). */
  actions: DialogueAction[];
  serviceCall?: { method: string; parameters: Record<string, string> };
}

export interface Dialogue {
  id: string;
  split: SgdSplit;
  services: string[];
  turns: DialogueTurn[];
}

export type SgdSplit = 'train' | 'dev' | 'test';

export function toDialogue(raw: unknown, split: SgdSplit): Dialogue {
  const d = parseOrThrow(RawDialogue, raw, 'SGD dialogue');
  return {
    id: d.dialogue_id,
    split,
    services: d.services,
    turns: d.turns.map((t, index) => {
      const frame = t.frames[0];
      const actions = t.frames.flatMap((f) => f.actions.map(({ act, slot, values }) => ({ act, slot, values })));
      if (t.speaker === 'USER') {
        return { index, speaker: 'caller' as const, text: t.utterance, intent: frame?.state?.active_intent ?? 'NONE', slots: frame?.state?.slot_values ?? {}, actions };
      }
      const call = t.frames.find((f) => f.service_call)?.service_call;
      return { index, speaker: 'agent' as const, text: t.utterance, actions, ...(call ? { serviceCall: call } : {}) };
    }),
  };
}

/** Dialogues of a split, streamed in file order; `limit` stops early. */
export async function* loadSgdDialogues(split: SgdSplit, opts: { limit?: number; services?: string[] } = {}): AsyncGenerator<Dialogue> {
  const lines = createInterface({ input: createReadStream(sharedDataPath('dialogues', 'sgd', `${split}.jsonl`)), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const dialogue = toDialogue(JSON.parse(line), split);
    if (opts.services && !dialogue.services.every((s) => opts.services!.includes(s))) continue;
    yield dialogue;
    if (opts.limit && ++n >= opts.limit) break;
  }
  lines.close();
}
