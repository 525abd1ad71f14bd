import type { Mention } from './types.ts';

/**
 * Yes / no answers. Phrases are matched longest first on words with apostrophes dropped
 * ("that's right" → "thats right"):
 * - strong: yes, yeah, yep, sure, correct, that's right, absolutely, go ahead … / no, nope, nah,
 *   not really, that's wrong, don't …;
 * - weak: closing words that answer "anything else?" (that's all, I'm good, nothing else) and
 *   approval words (sounds good, perfect, great): used only when no strong word is there.
 * An affirmative word after "not" / "n't" ("not correct", "isn't right", "doesn't work") is a no.
 * Uncertain answers ("not sure", "I don't know", "maybe") are ambiguous. A yes and a no together
 * are a conflict unless a correction ("wait", "actually", "I mean") says which holds.
 */

type Polarity = 'yes' | 'no' | 'unsure';
interface Phrase {
  words: string[];
  polarity: Polarity;
  strong: boolean;
  /** An affirmative that "not" before it turns into a no. */
  negatable?: boolean;
}

const STRONG_YES = [
  'yes', 'yeah', 'yea', 'yep', 'yup', 'ya', 'yah', 'yess', 'yesss', 'aye', 'sure', 'sure thing', 'surely', 'certainly', 'absolutely', 'definitely',
  'of course', 'correct', 'thats correct', 'that is correct', 'right', 'thats right', 'that is right', 'exactly', 'affirmative',
  'uh huh', 'uhhuh', 'mhm', 'mm hmm', 'mmhmm', 'go ahead', 'please do', 'do it',
  'by all means', 'indeed', 'confirm', 'confirmed', 'agreed', 'i agree', 'ok', 'okay', 'okey', 'k', 'alright', 'all right', 'yes please',
  'true', 'you got it', 'you bet', 'that works', 'works for me', 'that would be great', 'go for it', 'lets do it', 'lets do that',
  'sounds right', 'thats it exactly', 'precisely', 'totally', 'for sure',
];
const STRONG_NO = [
  'no', 'nope', 'nah', 'naw', 'nay', 'no way', 'negative', 'not really', 'not at all', 'not now', 'not right now', 'not at the moment',
  'not at this time', 'not today', 'not yet', 'not anymore', 'not that', 'incorrect', 'wrong', 'thats wrong', 'that is wrong', 'thats not it',
  'dont', 'do not', 'i dont', 'i do not', 'i dont want', 'i do not want', 'i dont think so', 'never', 'never mind', 'nevermind', 'cancel',
  'cancel that', 'not interested', 'no thanks', 'no thank you', 'no need', 'false', 'not quite', 'thats not right', 'thats not correct',
  'thats not what i said', 'i would not', 'i wouldnt', 'not necessary', 'not needed', 'rather not', 'id rather not', 'i said no', 'hell no',
  'absolutely not', 'definitely not', 'of course not', 'certainly not', 'probably not', 'i guess not', 'i think not', 'sure not', 'no sir',
  'no maam', 'no no',
];
const WEAK_NO = [
  'thats all', 'that is all', 'thats it', 'that will be all', 'that would be all', 'that should be all', 'that will be it', 'thatll be all',
  'thatll be it', 'that is it for now', 'thats it for now', 'thats all for now', 'im done', 'i am done', 'im good', 'i am good', 'im fine',
  'i am fine', 'im ok', 'im okay', 'im all set', 'i am all set', 'all set', 'nothing else', 'nothing more', 'nothing', 'thats everything',
  'i think thats it', 'that was all', 'that is everything', 'im all good', 'all good for now', 'i have everything',
  'that is it', 'thats okay', 'thats ok', 'that is okay', 'that is ok', 'its okay', 'its ok', 'it is okay', 'it is ok', 'thats alright', 'that is alright',
  'thats all right', 'that is all right', 'that will be okay', 'that will do', 'that will do it', 'thatll do', 'thatll do it', 'that should do',
  'that should do it', 'that would do it', 'i am ok', 'i am okay', 'im great', 'i am great', 'i can do it', 'im set', 'i am set',
  'good to go', 'im good to go', 'i am good to go', 'all done', 'we are done', 'were done', 'were good', 'we are good', 'maybe later',
  'some other time', 'another time', 'not for now', 'later maybe',
];
/** Asking to change something: a no to "is that right?" (weak: a clear yes still wins, unless "but" comes first). */
const CHANGE = [
  'change it', 'change that', 'change the', 'change my', 'please change', 'can you change', 'could you change', 'correction', 'one correction',
  'instead', 'disregard', 'changed my mind', 'change of plans', 'make it', 'make that', 'switch it', 'switch to', 'update it', 'update the',
  'not what i', 'correct the', 'modify',
];
const WEAK_YES = [
  'sounds good', 'sounds great', 'sounds perfect', 'sounds fine', 'perfect', 'great', 'excellent', 'awesome', 'cool', 'good', 'wonderful',
  'fantastic', 'lovely', 'nice', 'that suits me', 'suits me', 'suits me well', 'works', 'it works', 'that is perfect', 'thats perfect',
  'thats great', 'thats fine', 'that is fine', 'that is good', 'thats good', 'i think so', 'i guess so', 'i believe so', 'probably', 'most likely',
  'go on', 'proceed', 'book it', 'do that', 'of course please', 'fine',
];
/** Short answers that are a yes or a no only when they are the whole clause ("I do." but not "I do need help"). */
const WHOLE_YES = ['i do', 'i am', 'it is', 'i will', 'i would', 'i did', 'it does', 'we do', 'i have', 'we are', 'it was', 'that is', 'they are', 'i can', 'we will', 'it will', 'i could'];
const WHOLE_NO = ['it isnt', 'it is not', 'i am not', 'im not', 'i wont', 'i will not', 'i did not', 'i didnt', 'it doesnt', 'it does not', 'i cant', 'i cannot', 'i havent', 'i have not', 'not me', 'we dont', 'it wasnt', 'that isnt', 'they arent', 'we arent'];
const UNSURE = [
  'not sure', 'im not sure', 'i am not sure', 'unsure', 'i dont know', 'i do not know', 'dunno', 'i dunno', 'maybe', 'perhaps', 'possibly',
  'not certain', 'i cant remember', 'i dont remember', 'i forget', 'no idea', 'i have no idea', 'hard to say', 'let me think', 'depends',
];
/** Phrases that contain a yes/no word but are neither. */
const NEUTRAL = [
  'no problem', 'no worries', 'no doubt', 'no matter', 'no rush', 'no hurry', 'not a problem', 'not bad', 'not only', 'why not',
  'no one', 'nobody', 'no longer', 'right now', 'right away', 'all right then', 'good morning', 'good afternoon', 'good evening', 'good night',
  'good day', 'how are you', 'are you sure', 'is that right', 'is that correct', 'right after', 'right before', 'right there', 'on the right',
  'the right', 'my right', 'great day', 'good bye', 'goodbye', 'thank you', 'thanks', 'please help', 'help me please', 'please tell me',
  'please let me know', 'can you please', 'could you please', 'would you please', 'please check', 'please find', 'please confirm',
  'please search', 'please book', 'please give', 'please provide', 'please send', 'please make', 'please show', 'please get', 'please look',
  'no problems', 'no issues', 'no complaints', 'or no', 'or not', 'im sure', 'i am sure', 'im pretty sure', 'i am pretty sure', 'make sure',
  'for sure if', 'not only',
];

const PHRASES: Phrase[] = [
  ...WHOLE_YES.map((p) => ({ words: p.split(' '), polarity: 'yes' as Polarity, strong: true, whole: true })),
  ...WHOLE_NO.map((p) => ({ words: p.split(' '), polarity: 'no' as Polarity, strong: true, whole: true })),
  ...NEUTRAL.map((p) => ({ words: p.split(' '), polarity: 'unsure' as Polarity, strong: false, neutral: true })),
  ...UNSURE.map((p) => ({ words: p.split(' '), polarity: 'unsure' as Polarity, strong: true })),
  ...STRONG_NO.map((p) => ({ words: p.split(' '), polarity: 'no' as Polarity, strong: true })),
  ...WEAK_NO.map((p) => ({ words: p.split(' '), polarity: 'no' as Polarity, strong: false })),
  ...CHANGE.map((p) => ({ words: p.split(' '), polarity: 'no' as Polarity, strong: false, change: true })),
  ...STRONG_YES.map((p) => ({ words: p.split(' '), polarity: 'yes' as Polarity, strong: true, negatable: true })),
  ...WEAK_YES.map((p) => ({ words: p.split(' '), polarity: 'yes' as Polarity, strong: false, negatable: true })),
].sort((a, b) => b.words.length - a.words.length) as (Phrase & { neutral?: boolean; whole?: boolean; change?: boolean })[];

const NEGATORS = new Set(['not', 'isnt', 'arent', 'wasnt', 'doesnt', 'dont', 'didnt', 'wont', 'wouldnt', 'cant', 'couldnt', 'never', 'hardly', 'aint', 'no']);
const CORRECTION = new Set(['wait', 'actually', 'sorry', 'mean', 'meant', 'correction', 'scratch', 'rather', 'instead']);
const AUX = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'would', 'will', 'should', 'shall', 'may', 'have', 'has', 'am', 'what', 'when', 'where', 'which', 'who', 'how', 'why']);

interface Tok {
  w: string;
  start: number;
  end: number;
  /** Index of the clause (split at , . ! ? ;) the word is in. */
  clause: number;
}

function tokens(text: string): { toks: Tok[]; questions: Set<number> } {
  const toks: Tok[] = [];
  const questions = new Set<number>();
  let clause = 0;
  let clauseStart = 0;
  const re = /[A-Za-z]+(?:['’][A-Za-z]+)*|[,.!?;]+/g;
  for (const m of text.matchAll(re)) {
    const t = m[0];
    if (/^[,.!?;]+$/.test(t)) {
      // A clause that is a question ("is that right?") does not answer anything.
      if (t.includes('?') && toks.slice(clauseStart, clauseStart + 3).some((x) => AUX.has(x.w))) questions.add(clause);
      clause++;
      clauseStart = toks.length;
      continue;
    }
    toks.push({ w: t.toLowerCase().replace(/['’]/g, ''), start: m.index!, end: m.index! + t.length, clause });
  }
  return { toks, questions };
}

interface Hit {
  polarity: Polarity;
  strong: boolean;
  change?: boolean;
  start: number;
  end: number;
  index: number;
}

export function extractYesNo(text: string): Mention[] {
  const { toks, questions } = tokens(text);
  const hits: Hit[] = [];
  const used = new Array<boolean>(toks.length).fill(false);
  for (let i = 0; i < toks.length; i++) {
    if (used[i]) continue;
    for (const p of PHRASES) {
      const n = p.words.length;
      if (i + n > toks.length) continue;
      let ok = true;
      for (let k = 0; k < n; k++) {
        if (toks[i + k]!.w !== p.words[k] || used[i + k] || toks[i + k]!.clause !== toks[i]!.clause) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if ((p as { whole?: boolean }).whole) {
        const c = toks[i]!.clause;
        if (toks[i - 1]?.clause === c || toks[i + n]?.clause === c) continue;
      }
      for (let k = 0; k < n; k++) used[i + k] = true;
      if ((p as { neutral?: boolean }).neutral) break;
      if (questions.has(toks[i]!.clause)) break;
      let polarity = p.polarity;
      // "not correct", "that isn't right", "doesn't work"
      if (p.negatable) {
        const before = [toks[i - 1], toks[i - 2]].filter((t): t is Tok => t !== undefined && t.clause === toks[i]!.clause);
        if (before.some((t) => NEGATORS.has(t.w))) polarity = p.words[0] === 'sure' ? 'unsure' : 'no';
      }
      hits.push({ polarity, strong: p.strong, start: toks[i]!.start, end: toks[i + n - 1]!.end, index: i, change: (p as { change?: boolean }).change === true });
      break;
    }
  }
  if (hits.length === 0) return [];
  const unsure = hits.find((h) => h.polarity === 'unsure');
  const decided = hits.filter((h) => h.polarity !== 'unsure');
  const strong = decided.filter((h) => h.strong);
  let pool = strong.length > 0 ? strong : decided;
  // "Yes, but change it to four tickets", "Correct, except …": the change request is the answer.
  const turn = toks.findIndex((t) => t.w === 'but' || t.w === 'except');
  if (turn >= 0 && pool.every((h) => h.polarity === 'yes' && h.index < turn)) {
    const change = decided.find((h) => h.change && h.index > turn);
    if (change) pool = [{ ...change, strong: true }];
  }
  if (pool.length === 0) return unsure ? [{ start: unsure.start, end: unsure.end, confidence: 0.5, vague: 'unsure' }] : [];
  // A correction between a yes and a no: what comes after it holds.
  const polarities = new Set(pool.map((h) => h.polarity));
  if (polarities.size > 1) {
    const lastCorrection = toks.reduce((acc, t, i) => (CORRECTION.has(t.w) ? i : acc), -1);
    if (lastCorrection >= 0) {
      const after = pool.filter((h) => h.index > lastCorrection);
      if (after.length > 0 && new Set(after.map((h) => h.polarity)).size === 1) pool = after;
    }
  }
  const strongness = pool[0]!.strong;
  return pool.map((h) => ({
    start: h.start,
    end: h.end,
    value: h.polarity === 'yes',
    confidence: (strongness ? 0.95 : 0.7) * (unsure ? 0.7 : 1),
  }));
}
