import { stem } from './text.ts';

/**
 * A small contact-center paraphrase lexicon: groups of words a customer and a KB article use for
 * the same thing. Retrieval expands a query term with the other members of its groups (at a lower
 * weight); the grounding checker accepts a claim word whose group-mate appears in the sources.
 * Single words only (the tokenizer splits on spaces and hyphens), compared by Porter stem.
 */
const GROUPS: readonly string[] = [
  'cost price fee fees charge charged pay priced expensive',
  'refund reimburse reimbursement credit',
  'return returns send exchange',
  'ship shipping shipment deliver delivery delivered arrive arrival parcel package',
  'cancel cancellation terminate',
  'password passcode passphrase',
  'forget lose recover reset',
  'login signin logon log username',
  'purchase order bought buy',
  'promo promotion promotional coupon voucher discount',
  'membership member tier level',
  'bill invoice statement billing',
  'payment pay paying paid',
  'late overdue delayed delay',
  'defect defective broken damaged faulty',
  'colour color',
  'slow sluggish lag laggy crawl',
  'website site web online',
  'cart basket',
  'search find lookup',
  'email mail',
  'waive waived waiver free',
  'overnight express expedite expedited rush',
  'help assist support',
  'receipt proof',
  'stock available availability inventory',
  'change update modify edit',
  'agent human representative person colleague',
  'address location',
  'phone mobile cell telephone',
  'subscription plan',
  'account profile',
  'quickly fast faster soon',
  'wrong incorrect invalid error reject decline',
  'expire expired expiry valid validity',
  'authentication 2fa verification',
  'item product',
  'days day',
  'mystery unknown unexpected unexplained',
  // General English, for answers that paraphrase their source.
  'die dead death',
  'born birth',
  'start begin commence launch',
  'end finish conclude',
  'big large huge',
  'small little tiny',
  'main primary principal chief',
  'famous known renowned well-known',
  'call name called named nickname',
  'create make produce',
  'found establish founder',
  'use utilize employ',
  'show display',
  'get obtain receive acquire',
  'need require',
  'try attempt strive aim',
  'type kind sort',
  'many several numerous multiple',
  'pro professional',
  'job work occupation',
  'movie film',
  'kid child',
  'mother mom',
  'father dad',
  'car automobile vehicle',
  'building structure',
  'rule law regulation',
  'country nation',
  'city town',
  'usually typically generally often',
  'about approximately roughly around nearly almost',
  'award prize',
  'job position role',
  'team squad',
  'song track',
  'player athlete',
  'singer vocalist',
];

const SYNONYMS = new Map<string, Set<string>>();
for (const group of GROUPS) {
  const stems = [...new Set(group.split(/\s+/).map((w) => stem(w)))];
  for (const s of stems) {
    let set = SYNONYMS.get(s);
    if (!set) SYNONYMS.set(s, (set = new Set()));
    for (const o of stems) if (o !== s) set.add(o);
  }
}

/** Stems that paraphrase `s` (not including `s`). */
export function synonymsOf(s: string): ReadonlySet<string> {
  return SYNONYMS.get(s) ?? EMPTY;
}
const EMPTY: ReadonlySet<string> = new Set();
