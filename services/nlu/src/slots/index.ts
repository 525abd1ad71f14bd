/**
 * Slot and entity extraction with spoken-form normalisation. See docs/nlu-slots-sentiment.md.
 */
export { extractSlots, slotKindFor } from './extract.ts';
export { normaliseSpokenNumbers } from './text.ts';
export { extractDates, referenceDay, todayIn, toIso, addDays, weekday } from './dates.ts';
export { extractTimes } from './times.ts';
export { extractAmounts } from './amounts.ts';
export { extractYesNo } from './yesno.ts';
export { extractCategorical } from './categorical.ts';
export { spelledSequences } from './ids.ts';
export { countNouns } from './numbers.ts';
export {
  SLOT_KINDS,
  type SlotKind,
  type SlotSpec,
  type SlotValue,
  type Money,
  type ExtractContext,
  type ExtractResult,
  type SlotResult,
  type SlotCandidate,
  type SlotStatus,
} from './types.ts';
