/**
 * Simple in-test implementations of the ports (keyword intents, regex slots, word-overlap
 * knowledge, word-list sentiment) and a demo-tenant fixture. Not used in production code.
 */
import { buildDemoTenant, type DemoTenant } from '@cc/seed';
import { DemoActionRunner, InMemoryCrm } from './demo-actions.ts';
import { DialogueEngine } from './engine.ts';
import type { DialogueDeps, DialogueOptions } from './engine-types.ts';
import { MemoryAuditSink } from './audit.ts';
import type {
  IntentClassifier,
  IntentPrediction,
  KnowledgeAnswer,
  KnowledgeAnswerer,
  KnowledgeHit,
  SentimentScorer,
  SlotExtraction,
  SlotExtractor,
  SlotRequest,
} from './ports.ts';

let tenant: DemoTenant | null = null;
export function demoTenant(): DemoTenant {
  tenant ??= buildDemoTenant();
  return tenant;
}

/** The first demo customer: phone (562) 555-0119, account BPV2KHXT1G, ZIP 97154. */
export function demoCustomer() {
  const c = demoTenant().customers[0]!;
  return { ...c, zip: c.orders[0]!.shippingZip };
}

export class KeywordIntents implements IntentClassifier {
  calls = 0;
  constructor(private readonly rules: [RegExp, string, number][] = DEFAULT_INTENT_RULES) {}
  classify(text: string): IntentPrediction {
    this.calls++;
    const top = this.rules.filter(([re]) => re.test(text)).map(([, intent, confidence]) => ({ intent, confidence }));
    top.sort((a, b) => b.confidence - a.confidence);
    const best = top[0];
    return { intent: best?.intent ?? null, confidence: best?.confidence ?? 0.05, outOfScope: !best, top };
  }
}

export const DEFAULT_INTENT_RULES: [RegExp, string, number][] = [
  [/\btransfer\b|\bsend money\b/i, 'banks.transfer_money', 0.92],
  [/\bbalance\b/i, 'banks.check_balance', 0.9],
  [/\bpassword\b/i, 'account_access.recover_password', 0.88],
  [/\bwhere is my (order|package)\b|\bshipping status\b/i, 'shipping_issue.status', 0.85],
  [/\breturn policy\b|\bpolicy\b/i, 'storewide_query.policy', 0.8],
  [/\bmoney\b|\bpay(ment)?\b/i, 'payment.make_payment', 0.45],
  [/\bbus\b/i, 'buses.find_bus', 0.4],
];

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, ten: 10, twenty: 20, fifty: 50, hundred: 100 };

function amounts(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\$\s?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:dollars|bucks|usd)\b/gi)) out.push(Number(m[1] ?? m[2]));
  const spoken = /\b(one|two|three|four|five) hundred\b/i.exec(text);
  if (spoken) out.push(NUMBER_WORDS[spoken[1]!.toLowerCase()]! * 100);
  return [...new Set(out)];
}

/** Regex slot extraction over the demo slot names. */
export class RegexSlots implements SlotExtractor {
  extractSlots(text: string, wanted: readonly SlotRequest[], ctx: { expecting?: string }): { slots: Record<string, SlotExtraction> } {
    const slots: Record<string, SlotExtraction> = {};
    const set = (name: string, r: Omit<SlotExtraction, 'name'>) => (slots[name] = { name, ...r });
    for (const w of wanted) {
      const kind = w.kind ?? w.name;
      if (w.values && w.values.length) {
        const hits = w.values.filter((v) => new RegExp(`\\b${v}\\b`, 'i').test(text));
        if (hits.length === 1) set(w.name, { status: 'filled', value: hits[0]!, confidence: 0.9 });
        else if (hits.length > 1 && ctx.expecting === w.name) set(w.name, { status: 'conflict', confidence: 0.3, candidates: hits.map((value) => ({ value })) });
        else set(w.name, { status: 'missing', confidence: 0 });
        continue;
      }
      if (kind === 'amount') {
        const a = amounts(text);
        if (a.length === 1) set(w.name, { status: 'filled', value: { amount: a[0]!, currency: 'USD' }, confidence: 0.9 });
        else if (a.length > 1) set(w.name, { status: 'conflict', confidence: 0.3, candidates: a.map((amount) => ({ value: { amount, currency: 'USD' } })) });
        else if (ctx.expecting === w.name && /^\s*\d+\s*$/.test(text)) set(w.name, { status: 'filled', value: { amount: Number(text.trim()), currency: 'USD' }, confidence: 0.7 });
        else set(w.name, { status: 'missing', confidence: 0 });
        continue;
      }
      if (kind === 'recipient_account_name' || kind === 'receiver') {
        const m = /\bto ([A-Z][a-z]+)\b/.exec(text);
        if (m) set(w.name, { status: 'filled', value: m[1]!, confidence: 0.8 });
        else set(w.name, { status: 'missing', confidence: 0 });
        continue;
      }
      if (kind === 'order_id') {
        const m = /\b\d{10}\b/.exec(text);
        set(w.name, m ? { status: 'filled', value: m[0], confidence: 0.9 } : { status: 'missing', confidence: 0 });
        continue;
      }
      if (kind === 'account_id') {
        const m = /\b(?=[A-Z0-9]*\d)[A-Z0-9]{10}\b/.exec(text.toUpperCase());
        set(w.name, m ? { status: 'filled', value: m[0], confidence: 0.9 } : { status: 'missing', confidence: 0 });
        continue;
      }
      if (kind === 'zip') {
        const m = /\b\d{5}\b/.exec(text);
        set(w.name, m ? { status: 'filled', value: m[0], confidence: 0.9 } : { status: 'missing', confidence: 0 });
        continue;
      }
      set(w.name, { status: 'missing', confidence: 0 });
    }
    return { slots };
  }
}

export interface FakePassage {
  id: string;
  title: string;
  text: string;
}

export const DEMO_PASSAGES: FakePassage[] = [
  { id: 'kb:returns#1', title: 'Return policy', text: 'You can return any item within 30 days of delivery for a full refund. Items must be unworn.' },
  { id: 'kb:shipping#1', title: 'Shipping times', text: 'Standard shipping takes 5 to 7 business days. Express shipping takes 2 days.' },
  { id: 'kb:membership#1', title: 'Membership levels', text: 'Gold members get free express shipping on every order.' },
];

const STOP = new Set('a an the is are do does what how long your my i you can for of to in on and or it me with'.split(' '));
const words = (t: string) => (t.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => !STOP.has(w));

/** Word-overlap retrieval and extractive answers with citations. */
export class FakeKnowledge implements KnowledgeAnswerer {
  snapshotHash = 'f'.repeat(64);
  constructor(private readonly passages: FakePassage[] = DEMO_PASSAGES) {}
  search(query: string, k: number): KnowledgeHit[] {
    const q = new Set(words(query));
    if (q.size === 0) return [];
    return this.passages
      .map((p) => {
        const pw = new Set(words(`${p.title} ${p.text}`));
        const overlap = [...q].filter((w) => pw.has(w) || pw.has(w.replace(/s$/, ''))).length;
        return { id: p.id, title: p.title, text: p.text, score: overlap, coverage: overlap / q.size };
      })
      .filter((h) => h.score > 0)
      .sort((a, b) => b.coverage - a.coverage)
      .slice(0, k);
  }
  answer(_question: string, hits: readonly KnowledgeHit[]): KnowledgeAnswer {
    const best = hits[0];
    if (!best || (best.coverage ?? 0) < 0.4) return { covered: false, text: "I'm sorry, I don't have information about that. I can connect you with a colleague.", citations: [], confidence: 0 };
    return { covered: true, text: best.text.split(/(?<=\.)\s/)[0]!, citations: [{ passageId: best.id, articleId: best.id.split('#')[0]! }], confidence: best.coverage ?? 0.5 };
  }
}

export class WordSentiment implements SentimentScorer {
  score(text: string): number {
    const t = text.toLowerCase();
    if (/\b(furious|ridiculous|terrible|worst|hate|useless|angry|awful)\b/.test(t)) return -0.8;
    if (/\b(annoyed|frustrated|bad|slow)\b/.test(t)) return -0.5;
    if (/\b(thanks|great|perfect|wonderful)\b/.test(t)) return 0.6;
    return 0;
  }
}

export interface Fixture {
  engine: DialogueEngine;
  crm: InMemoryCrm;
  runner: DemoActionRunner;
  audit: MemoryAuditSink;
  intents: KeywordIntents;
}

/** An engine over the real demo agent version with in-test NLU/knowledge and the demo CRM. */
export function demoEngine(deps: Partial<DialogueDeps> = {}, options: DialogueOptions = {}): Fixture {
  const t = demoTenant();
  const crm = new InMemoryCrm(t.customers);
  const resultSlots: Record<string, string[]> = {};
  for (const f of Object.values(t.agentVersion.flows)) for (const s of f.steps) if (s.kind === 'action') resultSlots[s.action] = f.result_slots;
  const runner = new DemoActionRunner(crm, { resultSlots });
  const audit = new MemoryAuditSink();
  const intents = new KeywordIntents();
  const engine = new DialogueEngine(
    { ...t.agentVersion, id: 'av-demo' },
    { intents, slots: new RegexSlots(), knowledge: new FakeKnowledge(), sentiment: new WordSentiment(), crm, actions: runner, audit, ...deps },
    { resilience: { retries: 1, initialDelayMs: 1, maxDelayMs: 5, timeoutMs: 500 }, ...options },
  );
  return { engine, crm, runner, audit, intents };
}
