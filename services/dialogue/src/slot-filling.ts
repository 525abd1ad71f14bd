/** Slot extraction for the active flow: which slots to ask the extractor for, and storing what it found. */
import type { FlowDefinition } from '@cc/seed';
import type { SlotExtraction, SlotRequest, SlotValue } from './ports.ts';
import { freeTextAnswer, yesNo } from './text.ts';
import { timed, type TurnContext } from './turn-context.ts';

const NUMERIC_WORDS = new Set(['amount', 'date', 'time', 'number', 'count', 'price', 'passengers', 'travelers', 'adults', 'rooms', 'days', 'beds', 'baths', 'rating', 'zip', 'fare', 'total', 'rent']);
/** Slots whose answers are numbers, dates or times: never filled with free text. */
const isNumericSlot = (name: string) => name.split('_').some((w) => NUMERIC_WORDS.has(w));
const EXTRACTABLE_PARAMS = new Set(['order_id', 'amount', 'email', 'username', 'phone', 'zip_code', 'product']);

function slotRequests(flow: FlowDefinition): SlotRequest[] {
  const specs = [...flow.required_slots, ...flow.optional_slots].map((sp) => ({ name: sp.name, ...(sp.categorical ? { values: sp.values } : {}) }));
  if (specs.length > 0) return specs;
  // ABCD flows: form fields the caller may say (an order id, an amount).
  const params = new Set(flow.steps.flatMap((st) => (st.kind === 'action' ? st.params : [])));
  return [...params].filter((p) => EXTRACTABLE_PARAMS.has(p)).map((name) => ({ name }));
}

export async function extract(t: TurnContext, flow: FlowDefinition, text: string, expecting: string | undefined): Promise<Record<string, SlotExtraction>> {
  const wanted = slotRequests(flow);
  if (wanted.length === 0) return {};
  return timed(t, 'nlu', async () => {
    try {
      const r = await t.engine.deps.slots.extractSlots(text, wanted, { ...(expecting ? { expecting } : {}), referenceDate: new Date(t.engine.now.now()) });
      return r && typeof r.slots === 'object' && r.slots !== null ? r.slots : {};
    } catch {
      return {};
    }
  });
}

/** Store filled values (corrections overwrite); report the first conflicting or ambiguous slot. */
export function applySlots(
  t: TurnContext,
  flow: FlowDefinition,
  ext: Record<string, SlotExtraction>,
  awaiting: string | undefined,
  target: Record<string, SlotValue> = t.s.flow!.slots,
): { filled: string[]; problem: { slot: string; values: SlotValue[] } | null } {
  const frame = { slots: target };
  const filled: string[] = [];
  let problem: { slot: string; values: SlotValue[] } | null = null;
  const specs = new Map([...flow.required_slots, ...flow.optional_slots].map((sp) => [sp.name, sp]));
  const wanted = new Set(slotRequests(flow).map((r) => r.name));
  for (const [name, r] of Object.entries(ext)) {
    if (!wanted.has(name) || !r || typeof r !== 'object') continue;
    if (r.status === 'filled' && r.value !== undefined && r.value !== null) {
      let value: SlotValue = r.value;
      const spec = specs.get(name);
      if (spec?.categorical && typeof value === 'string') {
        const canonical = spec.values.find((v) => v.toLowerCase() === String(value).toLowerCase());
        if (!canonical && value !== 'dontcare') continue;
        value = canonical ?? value;
      }
      frame.slots[name] = value;
      filled.push(name);
    } else if ((r.status === 'conflict' || r.status === 'ambiguous') && (name === awaiting || !problem)) {
      const values = (r.candidates ?? []).map((c) => c.value);
      if (name === awaiting || values.length > 1) problem = { slot: name, values };
    }
  }
  // Local fallbacks for the slot just asked for.
  if (awaiting && !filled.includes(awaiting) && !problem) {
    const spec = specs.get(awaiting);
    if (spec?.categorical) {
      const hits = spec.values.filter((v) => new RegExp(`\\b${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(t.text));
      if (hits.length === 1) {
        frame.slots[awaiting] = hits[0]!;
        filled.push(awaiting);
      } else if (hits.length > 1) problem = { slot: awaiting, values: hits };
    } else if (spec && !isNumericSlot(awaiting)) {
      const answer = freeTextAnswer(t.text);
      if (answer && yesNo(answer) === null) {
        frame.slots[awaiting] = answer;
        filled.push(awaiting);
      }
    }
  }
  return { filled, problem };
}
