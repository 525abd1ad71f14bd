import { SGD_SERVICES, loadSgdServices, sgdFlowId } from '@cc/seed';
import { EvalInputError, type EvalDatasetCall } from '@cc/worker';
import { loadSgdDialogues, type Dialogue, type SgdSplit } from '../datasets/sgd.ts';

/**
 * Datasets an eval run can name. `sgd-<split>` are the SGD dialogues of the demo agent's services
 * (caller turns as text, each labelled with the flow id the demo agent uses for the SGD intent);
 * other names are in-memory datasets registered with `registerDataset` (tests, generated calls).
 */
export interface EvalDataset {
  name: string;
  /** Calls in dataset order; ids may repeat (bad input: every copy is reported and dead-lettered). */
  calls: EvalDatasetCall[];
}

const registered = new Map<string, EvalDatasetCall[]>();

/** Make an in-memory dataset available to `loadEvalDataset` and to the workers' `loadCall`. */
export function registerDataset(name: string, calls: EvalDatasetCall[]): void {
  registered.set(name, calls);
}

/** The demo agent's intent (flow id) for an SGD intent of one of the dialogue's services; null for NONE. */
export function sgdLabeller(): (dialogue: Dialogue, intent: string | undefined) => string | null {
  const services = loadSgdServices();
  return (dialogue, intent) => {
    if (!intent || intent === 'NONE') return null;
    const service = services.find((s) => dialogue.services.includes(s.service_name) && s.intents.some((i) => i.name === intent));
    return sgdFlowId(service?.service_name ?? dialogue.services[0] ?? 'unknown', intent);
  };
}

/**
 * An SGD dialogue as an eval call. A caller turn is labelled when it opens an intent: SGD keeps the
 * active intent on every later turn of the task (slot answers, confirmations), which are not intent
 * predictions, so only the turn where the active intent changes carries the label (the demo agent's
 * flow id for it); the others are unlabelled.
 */
export function sgdCall(dialogue: Dialogue, label: ReturnType<typeof sgdLabeller>): EvalDatasetCall {
  let previous: string | undefined;
  return {
    id: dialogue.id,
    turns: dialogue.turns.map((t) => {
      if (t.speaker !== 'caller') return { index: t.index, speaker: t.speaker, text: t.text };
      const opens = t.intent !== previous;
      previous = t.intent;
      return { index: t.index, speaker: t.speaker, text: t.text, intent: opens ? label(dialogue, t.intent) : null };
    }),
  };
}

const SGD_NAME = /^sgd-(train|dev|test)$/;

export async function loadEvalDataset(name: string, opts: { limit?: number } = {}): Promise<EvalDataset> {
  const mem = registered.get(name);
  if (mem) return { name, calls: opts.limit ? mem.slice(0, opts.limit) : mem };
  const m = SGD_NAME.exec(name);
  if (!m) throw new EvalInputError(`unknown dataset ${name}: use sgd-train, sgd-dev, sgd-test or a registered dataset`);
  const label = sgdLabeller();
  const calls: EvalDatasetCall[] = [];
  // Only the services the demo agent was built from (their intents are its flows).
  for await (const d of loadSgdDialogues(m[1] as SgdSplit, { services: [...SGD_SERVICES], ...(opts.limit ? { limit: opts.limit } : {}) })) calls.push(sgdCall(d, label));
  return { name, calls };
}

/**
 * The workers' `loadCall`: a call of a dataset loaded once per process (by the run, or lazily here),
 * by id. Unknown and duplicate ids are bad input (EvalInputError: dead-lettered, reported).
 */
export function datasetCallLoader(preloaded: EvalDataset[] = []) {
  const cache = new Map<string, Promise<EvalDataset>>(preloaded.map((d) => [d.name, Promise.resolve(d)]));
  return async (dataset: string, callId: string): Promise<EvalDatasetCall> => {
    let ds = cache.get(dataset);
    if (!ds) {
      ds = loadEvalDataset(dataset);
      cache.set(dataset, ds);
      ds.catch(() => cache.delete(dataset));
    }
    const matches = (await ds).calls.filter((c) => c.id === callId);
    if (matches.length === 0) throw new EvalInputError(`call ${callId} is not in dataset ${dataset}`);
    if (matches.length > 1) throw new EvalInputError(`duplicate call id ${callId} in dataset ${dataset} (${matches.length} calls)`);
    return matches[0]!;
  };
}

/** Call ids that occur more than once, with their counts. */
export function duplicateIds(calls: ReadonlyArray<{ id: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}
