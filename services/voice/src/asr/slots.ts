/**
 * Turns what the slot grammars (models/asr/grammars/*.gram) recognise into slot values.
 */

const DIGIT: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** "four oh double seven" → "4077"; null when the words are not a digit string. */
export function digitsFromWords(text: string): string | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const repeat = w === 'double' ? 2 : w === 'triple' ? 3 : 1;
    const d = DIGIT[repeat > 1 ? (words[++i] ?? '') : w];
    if (d === undefined) return null;
    out += d.repeat(repeat);
  }
  return out.length > 0 ? out : null;
}

const NO = /^(no|nope|nah|negative)\b|\b(not|wrong|incorrect|don't|do not)\b/;
const YES = /^(yes|yeah|yep|yup|sure|okay|correct|right|perfect|absolutely|definitely|please|thank|thanks|that|it|sounds|i confirm|go ahead|of course)\b/;

/** true for an affirmation, false for a negation, null for anything else. */
export function yesNoFromWords(text: string): boolean | null {
  const t = text.trim();
  if (!t) return null;
  if (NO.test(t)) return false;
  if (YES.test(t)) return true;
  return null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth'];
const UNITS: Record<string, number> = { twenty: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9 };
const COUNT: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7 };

function ordinalAt(words: string[], i: number): { day: number; len: number } | null {
  const w = words[i];
  if (!w) return null;
  const k = ORDINALS.indexOf(w);
  if (k >= 0) return { day: k + 1, len: 1 };
  if ((w === 'twenty' || w === 'thirty') && words[i + 1]) {
    const k2 = ORDINALS.indexOf(words[i + 1]!);
    if (k2 >= 0 && k2 < 9) return { day: (w === 'twenty' ? 20 : 30) + k2 + 1, len: 2 };
  }
  if (w === 'thirtieth') return { day: 30, len: 1 };
  return null;
}

function yearIn(words: string[]): number | undefined {
  const t = words.join(' ');
  const m = t.match(/\b(?:twenty|two thousand(?: and)?) (twenty|thirty)(?: (one|two|three|four|five|six|seven|eight|nine))?\b/);
  if (!m) return undefined;
  return 2000 + (m[1] === 'thirty' ? 30 : 20) + (m[2] ? UNITS[m[2]]! : 0);
}

/**
 * Resolves a spoken date against `today` (local calendar date). Returns an ISO date (YYYY-MM-DD),
 * or null when the words name no date. "the tenth" means the next tenth on or after today.
 */
export function dateFromWords(text: string, today: Date = new Date()): string | null {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const base = new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate()));
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const addDays = (n: number) => new Date(base.getTime() + n * 86_400_000);
  const t = words.join(' ');

  if (/\bday after tomorrow\b/.test(t)) return iso(addDays(2));
  if (/\btomorrow\b/.test(t)) return iso(addDays(1));
  if (/\b(today|tonight)\b/.test(t)) return iso(addDays(0));
  if (/\byesterday\b/.test(t)) return iso(addDays(-1));
  const inN = t.match(/\bin (a|one|two|three|four|five|six|seven) (day|days|week|weeks)\b/);
  if (inN) return iso(addDays(COUNT[inN[1]!]! * (inN[2]!.startsWith('week') ? 7 : 1)));

  const year = yearIn(words);
  const monthIdx = words.findIndex((w) => MONTHS.includes(w));
  let day: number | undefined;
  for (let i = 0; i < words.length && day === undefined; i++) day = ordinalAt(words, i)?.day;
  if (day !== undefined) {
    let month = monthIdx >= 0 ? MONTHS.indexOf(words[monthIdx]!) : base.getUTCMonth();
    let y = year ?? base.getUTCFullYear();
    let d = new Date(Date.UTC(y, month, day));
    if (d.getUTCDate() !== day) return null; // e.g. February thirtieth
    if (year === undefined && d < base) {
      // A past date without a year means the next one: next year's (month given) or next month's.
      if (monthIdx >= 0) y += 1;
      else month += 1;
      d = new Date(Date.UTC(y, month, day));
    }
    return iso(d);
  }

  const wd = words.findIndex((w) => WEEKDAYS.includes(w));
  if (wd >= 0) {
    const target = WEEKDAYS.indexOf(words[wd]!);
    const todayDow = base.getUTCDay();
    if (/\bnext week\b/.test(t)) {
      // The named day of next (Monday-based) calendar week.
      const toNextMonday = ((8 - todayDow) % 7) || 7;
      return iso(addDays(toNextMonday + ((target + 6) % 7)));
    }
    let delta = (target - todayDow + 7) % 7; // "friday", "this friday": the coming one (today counts)
    if (words[wd - 1] === 'next' && delta === 0) delta = 7; // "next friday" on a Friday: a week on
    return iso(addDays(delta));
  }
  return null;
}
