/**
 * Text normalisation for ASR data: turns a written caller sentence (SGD USER utterance, KB text)
 * into (a) the spoken word sequence used as the ASR reference / LM text, in CMU dictionary spelling
 * (lower case, "p.m.", "o'clock", single letters for spelled abbreviations), and (b) the text given
 * to the synthesisers, so that what is synthesised is exactly what the reference says (numbers
 * are verbalised here, not by flite/espeak-ng, whose number readings differ).
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORD: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', four: 'fourth', five: 'fifth', six: 'sixth', seven: 'seventh', eight: 'eighth', nine: 'ninth', ten: 'tenth',
  eleven: 'eleventh', twelve: 'twelfth', thirteen: 'thirteenth', fourteen: 'fourteenth', fifteen: 'fifteenth', sixteen: 'sixteenth', seventeen: 'seventeenth',
  eighteen: 'eighteenth', nineteen: 'nineteenth', twenty: 'twentieth', thirty: 'thirtieth', forty: 'fortieth', fifty: 'fiftieth', sixty: 'sixtieth',
  seventy: 'seventieth', eighty: 'eightieth', ninety: 'ninetieth', hundred: 'hundredth', thousand: 'thousandth', zero: 'zeroth',
};

export function cardinal(n: number): string[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`cardinal: ${n}`);
  if (n < 20) return [ONES[n]!];
  if (n < 100) return n % 10 === 0 ? [TENS[Math.floor(n / 10)]!] : [TENS[Math.floor(n / 10)]!, ONES[n % 10]!];
  if (n < 1000) return [ONES[Math.floor(n / 100)]!, 'hundred', ...(n % 100 ? cardinal(n % 100) : [])];
  if (n < 1_000_000) return [...cardinal(Math.floor(n / 1000)), 'thousand', ...(n % 1000 ? cardinal(n % 1000) : [])];
  if (n < 1_000_000_000) return [...cardinal(Math.floor(n / 1_000_000)), 'million', ...(n % 1_000_000 ? cardinal(n % 1_000_000) : [])];
  throw new Error(`cardinal: ${n} too large`);
}

export function ordinal(n: number): string[] {
  const w = cardinal(n);
  const last = w[w.length - 1]!;
  w[w.length - 1] = ORD[last] ?? `${last}th`;
  return w;
}

/** "4:30" → four thirty; "12:00" → twelve o'clock (twelve if a.m./p.m. follows); "9:05" → nine oh five. */
export function clockTime(h: number, m: number, hasMeridiem: boolean): string[] {
  const hour = cardinal(h);
  if (m === 0) return hasMeridiem ? hour : [...hour, "o'clock"];
  if (m < 10) return [...hour, 'oh', ONES[m]!];
  return [...hour, ...cardinal(m)];
}

/** Abbreviations seen in SGD caller turns: [reference words, synthesiser text]. Applied to upper-case tokens only. */
const ABBREV: Record<string, [string, string]> = {
  LA: ['l a', 'L.A.'], LAX: ['l a x', 'L.A.X.'], SFO: ['s f o', 'S.F.O.'], JFK: ['j f k', 'J.F.K.'], SUV: ['s u v', 'S.U.V.'],
  YVR: ['y v r', 'Y.V.R.'], PDX: ['p d x', 'P.D.X.'], UK: ['u k', 'U.K.'], DC: ['d c', 'D.C.'], USA: ['u s a', 'U.S.A.'], US: ['u s', 'U.S.'],
  SF: ['san francisco', 'San Francisco'], SD: ['san diego', 'San Diego'], NYC: ['new york city', 'New York City'], NY: ['new york', 'New York'],
  CA: ['california', 'California'], WA: ['washington', 'Washington'], OR: ['oregon', 'Oregon'], GA: ['georgia', 'Georgia'], AZ: ['arizona', 'Arizona'],
  BC: ['british columbia', 'British Columbia'], NSW: ['new south wales', 'New South Wales'], KL: ['kuala lumpur', 'Kuala Lumpur'],
  CDMX: ['mexico city', 'Mexico City'], ATL: ['atlanta', 'Atlanta'], OK: ['okay', 'okay'], ID: ['i d', 'I.D.'], ATM: ['a t m', 'A.T.M.'],
};

export interface Normalised {
  /** Reference words (dictionary spelling), space separated. */
  words: string;
  /** Text for the synthesisers. */
  tts: string;
}

function numWords(s: string): string[] {
  return cardinal(Number.parseInt(s.replace(/,/g, ''), 10));
}

/**
 * Normalises one written sentence. Returns null when it contains something this normaliser does not
 * handle (such sentences are dropped rather than guessed).
 */
export function normalise(text: string): Normalised | null {
  let t = text.replace(/[\u2018\u2019`]/g, "'").replace(/(\w)"(\w)/g, "$1'$2").replace(/[\u201c\u201d"]/g, ' ');
  const out: Array<[string, string]> = [];
  const push = (w: string[] | string, tts?: string) => {
    const words = Array.isArray(w) ? w : w.split(' ');
    out.push([words.join(' '), tts ?? words.join(' ')]);
  };
  // Tokenise on whitespace, keeping punctuation attached for pattern matching.
  t = t.replace(/&/g, ' and ').replace(/%/g, ' percent ').replace(/\s+/g, ' ').trim();
  const toks = t.split(' ');
  for (let i = 0; i < toks.length; i++) {
    const raw = toks[i]!;
    const next = (toks[i + 1] ?? '').toLowerCase().replace(/[,.?!;:]+$/, '');
    const nextIsMeridiem = /^(am|pm|a\.m|p\.m|a\.m\.|p\.m\.)$/.test(next);
    const tok = raw.replace(/^[(\[]+/, '').replace(/[,?!;:)\]]+$/, '').replace(/\.+$/, (m) => (/^(a\.m|p\.m)$/i.test(raw.replace(/[,?!;:.]+$/, '')) ? m : ''));
    if (tok === '' || tok === '-' || tok === '--') continue;
    let m: RegExpMatchArray | null;
    if ((m = tok.match(/^\$(\d[\d,]*)(?:\.(\d\d))?$/))) {
      const d = numWords(m[1]!);
      push([...d, m[1] === '1' ? 'dollar' : 'dollars', ...(m[2] && m[2] !== '00' ? ['and', ...numWords(m[2]), 'cents'] : [])]);
    } else if ((m = tok.match(/^(\d{1,2}):(\d\d)(am|pm)?$/i))) {
      const mer = m[3]?.toLowerCase();
      push(clockTime(Number(m[1]), Number(m[2]), Boolean(mer) || nextIsMeridiem));
      if (mer) push(`${mer[0]}.m.`);
    } else if ((m = tok.match(/^(\d{1,2})(am|pm)$/i))) {
      push(cardinal(Number(m[1])));
      push(`${m[2]!.toLowerCase()[0]}.m.`);
    } else if (/^(am|pm|a\.m\.?|p\.m\.?)$/i.test(tok) && out.length > 0 && /\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirty|fifteen|forty|forty five|oh \w+)$/.test(out[out.length - 1]![0])) {
      push(`${tok[0]!.toLowerCase()}.m.`);
    } else if ((m = tok.match(/^(\d+)(st|nd|rd|th)$/i))) {
      push(ordinal(Number(m[1])));
    } else if ((m = tok.match(/^(\d[\d,]*)\.(\d+)$/))) {
      push([...numWords(m[1]!), 'point', ...m[2]!.split('').map((c) => ONES[Number(c)]!)]);
    } else if (/^\d{1,3}(,\d{3})+$/.test(tok) || /^\d+$/.test(tok)) {
      push(numWords(tok));
    } else if (/^\d/.test(tok)) {
      return null; // e.g. "3-star", "2br": not handled
    } else if (ABBREV[tok.replace(/'s$/, '')] && /^[A-Z]+('s)?$/.test(tok)) {
      const [w, s] = ABBREV[tok.replace(/'s$/, '')]!;
      push(w, s);
    } else if (/^[A-Za-z][A-Za-z'.]*(-[A-Za-z']+)*$/.test(tok)) {
      const low = tok.toLowerCase();
      if (low === 'ok' || low === 'okey') push('okay');
      else push(low);
    } else {
      return null;
    }
  }
  if (out.length === 0) return null;
  return { words: out.map((o) => o[0]).join(' '), tts: out.map((o) => o[1]).join(' ') };
}

/** Splits hyphenated words the dictionary lacks; returns null if any word is still not in the dictionary. */
export function fitToDictionary(n: Normalised, dict: Set<string>): Normalised | null {
  const words: string[] = [];
  for (const w of n.words.split(' ')) {
    if (dict.has(w)) words.push(w);
    else if (w.includes('-') && w.split('-').every((p) => p === '' || dict.has(p))) words.push(...w.split('-').filter(Boolean));
    else if (w.endsWith("'") && dict.has(w.slice(0, -1))) words.push(w.slice(0, -1));
    else return null;
  }
  return { words: words.join(' '), tts: n.tts.replace(/(\w)-(\w)/g, '$1 $2') };
}

/** Reads a CMU-format dictionary (word, word(2) …) into its word set. */
export function dictionaryWords(text: string): Set<string> {
  const s = new Set<string>();
  for (const line of text.split('\n')) {
    const w = line.split(/\s/, 1)[0];
    if (w) s.add(w.replace(/\(\d+\)$/, ''));
  }
  return s;
}
