export const SLOT_KINDS = [
  'order_id',
  'account_id',
  'username',
  'amount',
  'date',
  'time',
  'email',
  'phone',
  'card_last4',
  'zip',
  'yes_no',
  'number',
  'categorical',
  /** Free text (names, cities): not extracted here, always missing. */
  'text',
] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

export interface Money {
  amount: number;
  /** ISO 4217. */
  currency: string;
}

/**
 * Values by kind: date "YYYY-MM-DD"; time "HH:MM" (24 h); amount Money; yes_no boolean; number
 * number; phone E.164 ("+19776252661"; 7 digits when no area code was given); email, order_id,
 * account_id (upper case), username, zip, card_last4 strings; categorical one of the spec's values
 * (or "dontcare").
 */
export type SlotValue = string | number | boolean | Money;

export interface SlotSpec {
  name: string;
  /** Inferred from the name when absent (see slotKindFor). */
  kind?: SlotKind;
  /** Allowed values of a categorical slot. */
  values?: readonly string[];
  /** Digits of an id (order_id default 10, account_id 10 characters). */
  length?: number;
}

export interface ExtractContext {
  /** "Now" (default: the current time). Relative dates count from its calendar day in `timeZone`. */
  referenceDate?: Date | string | number;
  /** IANA time zone of the caller (default "UTC"). An unknown zone falls back to UTC. */
  timeZone?: string;
  /** Name of the slot the agent just asked for: a bare answer ("4111", "the 5th", "yes") goes there. */
  expecting?: string;
  /** Dates without a year and bare weekdays: the next one (future, default) or the last one (past). */
  dateBias?: 'future' | 'past';
  /** Numeric dates such as 3/5: month first (default) or day first. */
  dateOrder?: 'MDY' | 'DMY';
  /** "next Saturday" said on a Wednesday: flag (default), this week's, or the week after's. */
  nextWeekday?: 'ambiguous' | 'upcoming' | 'following';
  /** "at 4" with no am/pm: flag (default), or read in business hours (7–11 am, 12–6 pm). */
  bareHour?: 'ambiguous' | 'business-hours';
  /** Currency of amounts said without one (default "USD"). */
  currency?: string;
}

export interface SlotCandidate {
  value: SlotValue;
  /** Offsets in the text given to extractSlots. */
  start: number;
  end: number;
  text: string;
  confidence: number;
  note?: string;
}

export type SlotStatus = 'filled' | 'missing' | 'ambiguous' | 'conflict';

export interface SlotResult {
  name: string;
  kind: SlotKind;
  /**
   * filled: one value; missing: nothing found; ambiguous: one mention with several readings (see
   * candidates; "next Saturday", "at 4", "twelve fifty") or an uncertain answer ("not sure");
   * conflict: different values with nothing saying which one holds ("5 or 6 tickets").
   */
  status: SlotStatus;
  /** Only when filled. */
  value?: SlotValue;
  confidence: number;
  start?: number;
  end?: number;
  /** The readings or values behind an ambiguous or conflicting result (and the one picked when filled). */
  candidates: SlotCandidate[];
  reason?: string;
}

export interface ExtractResult {
  slots: Record<string, SlotResult>;
  /** The text with spoken numbers written as digits. */
  normalised: string;
}

/** One mention found by an extractor (internal). */
export interface Mention {
  value?: SlotValue;
  /** Several readings of one mention: ambiguous. */
  alternatives?: SlotValue[];
  start: number;
  end: number;
  confidence: number;
  note?: string;
  /** A vague or uncertain answer ("next week", "not sure"): ambiguous with no value. */
  vague?: string;
}
