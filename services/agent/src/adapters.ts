import { redact } from '@cc/core';
import type { CrmAdapter, CrmCustomer, IntentClassifier, KnowledgeAnswerer, KnowledgeHit, Redactor, SentimentScorer, SlotExtractor } from '@cc/dialogue';
import { KbIndex, checkGrounding, composeAnswer, type KbDocumentInput, type SearchHit } from '@cc/knowledge';
import { extractSlots, scoreSentiment, type IntentModel } from '@cc/nlu';
import { findCustomerByAccountId, findCustomerByPhone, type Customer, type Database } from '@cc/store/postgres';

/** The real implementations behind the dialogue engine's ports. */

export function intentClassifier(model: IntentModel): IntentClassifier {
  return {
    classify: (text) => {
      const p = model.classify(text);
      return { intent: p.intent, confidence: p.confidence, outOfScope: p.outOfScope, top: p.top.map((t) => ({ intent: t.intent, confidence: t.p })) };
    },
  };
}

export const slotExtractor: SlotExtractor = {
  extractSlots: (text, wanted, ctx) => extractSlots(text, wanted as Parameters<typeof extractSlots>[1], ctx) as ReturnType<SlotExtractor['extractSlots']>,
};

export const sentimentScorer: SentimentScorer = { score: (text) => scoreSentiment(text).score };

export const redactor: Redactor = { redact: (text) => redact(text).text };

/** BM25F retrieval over the tenant's published articles; answers are extractive and cited. */
export function knowledgeAnswerer(articles: readonly KbDocumentInput[], snapshotHash?: string): KnowledgeAnswerer {
  const index = KbIndex.build(articles);
  const byId = new Map<string, SearchHit>();
  const toHit = (h: SearchHit): KnowledgeHit => {
    const id = `${h.articleId}@${h.version}:${h.start}-${h.end}`;
    byId.set(id, h);
    return { id, title: h.title, text: h.text, score: h.score, coverage: h.coverage };
  };
  return {
    search: (query, k) => index.search(query, k).map(toHit),
    answer: (question, hits) => {
      const a = composeAnswer(question, hits.map((h) => byId.get(h.id)).filter((h): h is SearchHit => !!h));
      return { covered: a.covered, text: a.text, citations: a.citations, confidence: a.confidence };
    },
    checkGrounding: (answer, sources) => {
      const r = checkGrounding(answer, sources.map((s) => s.text));
      return { grounded: r.supported, score: r.score };
    },
    ...(snapshotHash ? { snapshotHash } : {}),
  };
}

function toCrmCustomer(c: Customer): CrmCustomer {
  return {
    externalId: c.externalId,
    fullName: c.fullName,
    email: c.email,
    phone: c.phone,
    accountId: c.accountId,
    username: c.username,
    membershipLevel: c.membershipLevel,
    orders: (c.orders ?? []).map((o) => ({ ...o, orderId: String(o.orderId), status: String(o.status) })) as CrmCustomer['orders'],
  };
}

/** The demo CRM: the tenant's customers table in Postgres. */
export function postgresCrm(db: Database, tenantId: string): CrmAdapter {
  return {
    findByPhone: async (phone) => {
      const c = await findCustomerByPhone(db, tenantId, phone);
      return c ? toCrmCustomer(c) : null;
    },
    findByAccountId: async (accountId) => {
      const c = await findCustomerByAccountId(db, tenantId, accountId);
      return c ? toCrmCustomer(c) : null;
    },
  };
}
