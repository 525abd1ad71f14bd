/**
 * Contact-center terms added on top of VADER (valences on VADER's scale, about −4 … +4), and the
 * politeness and answer words that VADER scores but that carry no feeling in a call ("please",
 * "can you help me", "yes", "no, …", "sorry", "I would like", "the wrong size").
 *
 * Signals: `escalation` (asks for a manager / a human), `churn` (threatens to leave or cancel
 * everything), `repeat` (has called or explained before, waited long, was not called back).
 */
export type CcSignal = 'escalation' | 'churn' | 'repeat' | 'complaint';

export interface CcTerm {
  re: RegExp;
  valence: number;
  signal?: CcSignal;
  /** A "not"/"don't" just before the phrase cancels it ("I don't want to speak to a manager"). */
  negatable?: boolean;
}

const NUM = String.raw`(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|multiple|a\s+few|a\s+couple\s+of|so\s+many)`;

export const CC_TERMS: readonly CcTerm[] = [
  // escalation
  { re: /\b(?:speak|talk)\s+(?:to|with)\s+(?:a|an|the|your|someone'?s?)?\s*(?:manager|supervisor|superior|boss|real\s+person|human|live\s+(?:person|agent)|someone\s+(?:else|in\s+charge|who\s+knows))\b/gi, valence: -2.2, signal: 'escalation', negatable: true },
  { re: /\b(?:get|give|put|transfer)\s+me\s+(?:a|to\s+(?:a|your|the)|through\s+to\s+(?:a|your|the))?\s*(?:manager|supervisor|human|real\s+person)\b/gi, valence: -2.2, signal: 'escalation', negatable: true },
  { re: /\b(?:put\s+me\s+through\s+to|escalate\s+(?:this|it|my\s+case)|escalation)\b/gi, valence: -1.8, signal: 'escalation', negatable: true },
  { re: /\b(?:a\s+)?real\s+(?:person|human)\b|\bhuman\s+being\b/gi, valence: -1.2, signal: 'escalation' },
  // churn
  { re: /\b(?:cancel(?:l?ing)?|close|closing|terminate|terminating)\s+(?:my|the|our)\s+(?:whole\s+|entire\s+)?(?:account|subscription|service|membership|contract|plan)\b/gi, valence: -1.0, signal: 'churn', negatable: true },
  { re: /\b(?:switch(?:ing)?|going|moving|go)\s+(?:over\s+)?to\s+(?:a|your|another)\s+(?:competitor|different\s+company|another\s+company)\b|\btake\s+my\s+business\s+elsewhere\b/gi, valence: -2.5, signal: 'churn' },
  { re: /\b(?:never|not\s+ever)\s+(?:order|buy|shop|purchase|come\s+back|use\s+you)\w*\s+(?:from|with|here|again)?/gi, valence: -2.5, signal: 'churn' },
  { re: /\b(?:i'?m|i\s+am)\s+(?:so\s+|completely\s+|totally\s+)?done(?:\s+with\s+(?:you|this|your\s+company|you\s+guys))?\b/gi, valence: -2.2, signal: 'churn' },
  { re: /\b(?:report|reporting)\s+(?:you|this|your\s+company)\b|\bbetter\s+business\s+bureau\b|\bbbb\b|\b(?:my\s+)?lawyer\b|\bsue\s+(?:you|your)\b|\blegal\s+action\b/gi, valence: -2.5, signal: 'complaint' },
  { re: /\b(?:file|filing|make|lodge|raise)\s+a\s+(?:formal\s+)?complaint\b/gi, valence: -2.2, signal: 'complaint' },
  { re: /\bdispute\s+(?:this|the|a)\s+charge\b/gi, valence: -1.2, signal: 'complaint' },
  // repeat contact, waiting, not being helped
  { re: new RegExp(String.raw`\b(?:(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+time\s+(?:i\s+(?:am|have|'ve|'m)\s+)?(?:call(?:ing|ed)?|contact(?:ing|ed)?|writ(?:ing|ten)|ask(?:ing|ed)?|chat(?:ting)?)|(?:called|contacted|written|asked|rung|been\s+on\s+the\s+phone|phoned)\s+(?:you\s+)?${NUM}\s+times|${NUM}\s+times\s+(?:already|now|this\s+week|today))\b`, 'gi'), valence: -2.2, signal: 'repeat' },
  { re: new RegExp(String.raw`\b(?:explained|told\s+you|said|repeated|gave\s+you)\s+(?:this|that|it)?\s*(?:${NUM}\s+times|already|before|twice)\b|\balready\s+(?:gave|told|explained|sent|provided|said)\b|\brepeat(?:ing)?\s+myself\b`, 'gi'), valence: -1.8, signal: 'repeat' },
  { re: /\b(?:no\s*one|nobody)\s+(?:ever\s+)?(?:calls?|called|rang|emailed|got|gets|has\s+(?:been\s+able|called|gotten)|is\s+(?:doing|helping)|will\s+help|can\s+help|helps|helped|replied|responds|answered)\b/gi, valence: -2.0, signal: 'repeat' },
  { re: /\b(?:promised|told)\s+(?:me\s+)?a\s+call\s*back\b|\bnever\s+(?:called|got\s+back|heard\s+back)\b|\bstill\s+(?:no|not|nothing|haven'?t|hasn'?t|doesn'?t|don'?t|waiting|broken)\b/gi, valence: -1.6, signal: 'repeat' },
  { re: new RegExp(String.raw`\b(?:been\s+)?(?:on\s+hold|waiting|waited)\s+(?:for\s+)?(?:over\s+|more\s+than\s+|almost\s+|nearly\s+)?(?:an?\s+|${NUM}\s+|forty\s+five\s+|\d+\s+)(?:hour|hours|minutes|days|weeks|months)\b`, 'gi'), valence: -1.8, signal: 'repeat' },
  { re: /\bhung\s+up\s+on\s+me\b|\b(?:keep|stop|kept)\s+transferring\s+me\b|\btransferred\s+(?:me\s+)?(?:around|again|three|four|five|multiple|several)\b/gi, valence: -2.2, signal: 'repeat' },
  { re: /\bkeeps?\s+(?:happening|getting|charging|sending|breaking|failing|crashing)\b|\b(?:late|lost|wrong|broken|charged|missing)\s+again\b|\bagain\s*\?/gi, valence: -1.5, signal: 'repeat' },
  { re: /\bis\s+(?:anyone|anybody)\s+(?:even\s+)?listening\b|\bare\s+you\s+(?:even\s+)?listening\b|\bnot\s+listening\b/gi, valence: -2.0, signal: 'complaint' },
  { re: /\b(?:you(?:'re|\s+are)|this\s+is|that(?:'s|\s+is))\s+not\s+help(?:ing|ful)\b|\bno\s+help\s+at\s+all\b|\bnot\s+(?:helping|helpful)\s+at\s+all\b|\bthat'?s\s+not\s+what\s+i\s+(?:asked|said|meant)\b/gi, valence: -2.0, signal: 'complaint' },
  // frustration
  { re: /\bridiculous\b|\bunacceptable\b|\boutrageous\b|\bincompetent\b|\babsurd\b|\bpathetic\b/gi, valence: -2.6, signal: 'complaint' },
  { re: /\buseless\b|\bgarbage\b|\brubbish\b|\bjoke\b|\binsane\b|\bnonsense\b|\bshambles\b|\bscam\b|\brip\s*off\b/gi, valence: -2.2, signal: 'complaint' },
  { re: /\bwaste\s+of\s+(?:my\s+|an?\s+|your\s+)?(?:time|money|an?\s+hour|hour|day)\b/gi, valence: -2.6, signal: 'complaint' },
  { re: /\bfed\s+up\b|\bsick\s+(?:and\s+tired\s+)?of\b|\bhad\s+(?:it|enough)\b|\bcan'?t\s+believe\b|\bunbelievable\b|\blose\s+my\s+mind\b|\bat\s+my\s+wits'?\s+end\b/gi, valence: -2.4, signal: 'complaint' },
  { re: /\bwhat\s+kind\s+of\s+(?:service|company|business)\b|\bworst\s+(?:service|company|experience)\b|\bhow\s+(?:hard|difficult)\s+(?:can\s+it\s+be|is\s+it)\b|\bso\s+hard\s+to\b/gi, valence: -2.2, signal: 'complaint' },
  { re: /\bthanks?\s+(?:you\s+)?for\s+nothing\b|\boh\s+great\b|\bgreat,?\s+just\s+great\b|\bjust\s+great\b|\byeah\s+right\b|\bsure\s+whatever\b|\bwhatever\b/gi, valence: -3.2, signal: 'complaint' },
  { re: /\bseriously\s*\?|\bare\s+you\s+(?:kidding|serious|joking)\b|\byou\s+(?:have\s+)?got\s+to\s+be\s+kidding\b/gi, valence: -2.0, signal: 'complaint' },
  { re: /\b(?:you\s+people|you\s+guys)\s+(?:charged|are|keep|never|always|lost|broke|messed)\b|\bover\s*charged\b|\blied\s+to\b|\blying\s+to\s+me\b/gi, valence: -1.8, signal: 'complaint' },
  { re: /\bmoney\s+back\s+now\b|\bright\s+now\b(?=.*\b(?:manager|supervisor|money|refund)\b)|\bnot\s+happy\b|\bunhappy\b|\bupset\b|\bannoyed\b|\bangry\b|\bfurious\b|\blivid\b|\bdisgusted\b|\bdisappointed\b/gi, valence: -1.0, signal: 'complaint' },
  { re: /\bthis\s+(?:is\s+)?(?:taking|takes)\s+(?:too|so)\s+long\b|\btaking\s+(?:too|so|way\s+too)\s+long\b|\bfor\s+weeks\b|\bfor\s+months\b/gi, valence: -1.5, signal: 'repeat' },
  { re: /\bjust\s+want\s+(?:this|it)\s+(?:sorted|fixed|resolved|done)\b/gi, valence: -1.6, signal: 'complaint' },
  // positive in calls
  { re: /\blife\s*saver\b|\bmade\s+my\s+day\b|\byou(?:'re|\s+are)\s+(?:a\s+)?(?:star|legend|the\s+best)\b|\bbrilliant\b|\bcheers\b/gi, valence: 2.8 },
  { re: /\b(?:does|did|do|will|would|could|can)(?:n'?t|\s+not)\s+(?:solve|fix|help|resolve|sort)\b|\bnot\s+(?:solved|fixed|resolved|sorted)\b|\bdidn'?t\s+work\b/gi, valence: -2.0, signal: 'complaint' },
  { re: /\b(?:that|this|it)\s+(?:fixed|solved|sorted|resolved)\s+(?:it|the\s+problem|my\s+problem|the\s+issue)\b|\b(?:fixed|solved|sorted|resolved)\s+(?:it|that|my\s+problem|the\s+problem|the\s+issue)(?:\s+out)?\b|\b(?:working|works)\s+now\b|\bresolution\b/gi, valence: 1.8, negatable: true },
  { re: /\b(?:thanks|thank\s+you)\s+(?:so\s+much|a\s+lot|a\s+bunch|very\s+much|for\s+(?:your|the|all|being|sorting|helping|trying|fixing))\b/gi, valence: 1.2 },
  { re: /\bno\s+(?:worries|problem|problems)(?:\s+at\s+all)?\b|\bnot\s+a\s+problem\b/gi, valence: 1.2 },
  { re: /\bfinally\s+(?:someone|somebody|a\s+person)\s+(?:who|that)\s+(?:can|could|knows)\b/gi, valence: 2.2 },
  { re: /\blook(?:ing)?\s+forward\b/gi, valence: 1.5 },
  { re: /\b(?:patient|patience)\b/gi, valence: 1.5 },
];

/**
 * Words VADER scores that are only politeness or answer particles in a call: they are taken out
 * before VADER sees the text (each pair: pattern, replacement).
 */
export const NEUTRALISE: readonly [RegExp, string][] = [
  [/\bplease\b/gi, ''],
  [/\b(?:can|could|would|will)\s+you\s+(?:please\s+)?help\s+me\b/gi, 'can you'],
  [/\bhelp\s+me\s+(?:with|to|find|search|get)\b/gi, 'do'],
  [/\bneed\s+(?:some\s+)?help\s+with\b/gi, 'need'],
  [/\b(?:i\s+would|i'?d)\s+like\s+to\b/gi, 'I want to'],
  [/\b(?:i\s+would|i'?d)\s+like\b/gi, 'I want'],
  [/^\s*(?:yes|yeah|yep|yup|ok|okay|sure|um|uh|so|well)\b[,.!]?/gi, ''],
  [/\b(?:yes|yeah|yep)\s+(?:that|it)\s+(?:is|was)\b/gi, 'that is'],
  [/^\s*no\b[,.!]\s*/gi, ''],
  [/\bsorry\b/gi, ''],
  [/\b(?:the\s+)?wrong\s+(?:size|color|colour|item|address|product|one|date)\b/gi, 'a different one'],
  [/\bdamaged\s+item\b/gi, 'item'],
  [/\bcancel\s+my\s+order\b/gi, 'stop my order'],
  [/\bpremium\b/gi, ''],
  [/\bgold\s+membership\b/gi, 'membership'],
  [/\bfree\s+shipping\b/gi, 'shipping'],
  [/\bsavings\b/gi, 'account'],
  [/\b(?:credit|debit)\s+card\b/gi, 'card'],
];
