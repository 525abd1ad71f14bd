import { buildKbArticles } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { answerFromKb, composeAnswer, NOT_COVERED_TEXT } from './answer.ts';
import { checkGrounding } from './grounding.ts';
import { KbIndex, type KbDocument } from './retrieval.ts';

const kb: KbDocument[] = buildKbArticles().map((a) => ({ id: a.slug, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status }));
const bodies = new Map(kb.map((a) => [a.id, a.body]));
const index = KbIndex.build(kb);

describe('composeAnswer', () => {
  const questions = [
    'how long do silver members have to return an item',
    'how much does overnight shipping cost?',
    'my promo code does not work',
    'how do I change my address',
    'the website is really slow',
    'I need to reset my two-factor authentication',
  ];

  it.each(questions)('answers "%s" with citations that point to real text', (question) => {
    const answer = answerFromKb(index, question);
    expect(answer.covered).toBe(true);
    if (!answer.covered) return;
    expect(answer.citations.length).toBeGreaterThan(0);
    for (const c of answer.citations) {
      const body = bodies.get(c.articleId)!;
      expect(c.version).toBe(1);
      expect(c.start).toBeGreaterThanOrEqual(0);
      expect(c.end).toBeLessThanOrEqual(body.length);
      expect(c.end).toBeGreaterThan(c.start);
    }
    // Every sentence is extracted: its words all come from the text it cites.
    for (const s of answer.sentences) {
      const cited = s.citations.map((c) => bodies.get(c.articleId)!.slice(c.start, c.end)).join(' ');
      const words = (t: string) => (t.toLowerCase().match(/[a-z0-9$%]+/g) ?? []).filter((w) => w.length > 2);
      const citedWords = new Set(words(cited));
      expect(words(s.text).filter((w) => !citedWords.has(w))).toEqual([]);
    }
    // And the grounding checker accepts it against the cited passages.
    const sources = answer.citations.map((c) => ({ text: bodies.get(c.articleId)!, articleId: c.articleId, version: c.version }));
    expect(checkGrounding(answer.text, sources, { context: question }).supported).toBe(true);
  });

  it('answers the return-window question from the Silver bullet, with its parent line', () => {
    const answer = answerFromKb(index, 'how long do silver members have to return an item');
    expect(answer.covered && answer.text).toMatch(/Silver members: .*6 months/);
  });

  it('says "not covered" for off-topic questions, never an invented answer', () => {
    for (const q of ["what's the weather in Paris tomorrow?", 'can you order me a pizza', 'who won the football game last night', 'how tall is Mount Everest', 'book me a flight to London']) {
      const answer = answerFromKb(index, q);
      expect(answer).toMatchObject({ covered: false, text: NOT_COVERED_TEXT, citations: [] });
    }
  });

  it('says "not covered" for empty, non-English or absent input', () => {
    expect(composeAnswer('', index.search('shipping', 3))).toMatchObject({ covered: false, reason: 'empty_question' });
    expect(composeAnswer('how much is shipping?', [])).toMatchObject({ covered: false, reason: 'no_passages' });
    expect(answerFromKb(index, '退货政策是什么')).toMatchObject({ covered: false });
    expect(answerFromKb(index, 'wie spät ist es')).toMatchObject({ covered: false });
    expect(composeAnswer(undefined as unknown as string, undefined as unknown as [])).toMatchObject({ covered: false });
    expect(() => answerFromKb(index, 'shipping '.repeat(50_000))).not.toThrow();
  });

  it('is deterministic', () => {
    const q = 'how much does overnight shipping cost?';
    expect(answerFromKb(index, q)).toEqual(answerFromKb(KbIndex.build([...kb].reverse()), q));
  });

  it('uses a custom hand-off line', () => {
    expect(answerFromKb(index, 'pizza', { notCoveredText: 'Let me get a colleague.' }).text).toBe('Let me get a colleague.');
  });
});
