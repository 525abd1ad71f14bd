import { buildKbArticles } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { answerFromKb } from '../answer.ts';
import { checkGrounding } from '../grounding.ts';
import { KbIndex } from '../retrieval.ts';
import { HallucinationScoreDetails, hallucinationDetails, mostCitedInUnsupported, parseHallucinationDetails } from './citations.ts';

const kb = buildKbArticles().map((a) => ({ id: `id-${a.slug}`, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status }));
const index = KbIndex.build(kb);

describe('hallucination score details', () => {
  it('are built from a composed answer and the grounding check, and parse back', () => {
    const question = 'how much is standard shipping?';
    const answer = answerFromKb(index, question);
    expect(answer.covered).toBe(true);
    const sources = answer.citations.map((c) => ({ text: kb.find((a) => a.id === c.articleId)!.body.slice(c.start, c.end), articleId: c.articleId, version: c.version }));
    const wrong = checkGrounding('Standard shipping is $15.', sources, { context: question });
    expect(wrong.supported).toBe(false);
    const details = hallucinationDetails(wrong, answer.citations, 0.71);
    expect(details).toMatchObject({ supported: false, scorer: 'grounding-v1', threshold: 0.71 });
    expect(details.citations.length).toBeGreaterThan(0);
    expect(details.citations[0]).toEqual({ articleId: answer.citations[0]!.articleId, slug: answer.citations[0]!.slug, version: 1 });
    expect(parseHallucinationDetails(JSON.stringify(details))).toEqual(details);
    // composeAnswer's citations fit the schema as they are.
    expect(HallucinationScoreDetails.safeParse({ supported: true, citations: answer.citations }).success).toBe(true);
  });

  it('reject what does not match', () => {
    expect(parseHallucinationDetails('{not json')).toBeUndefined();
    expect(parseHallucinationDetails({ citations: [] })).toBeUndefined();
    expect(parseHallucinationDetails({ supported: 'no' })).toBeUndefined();
    expect(parseHallucinationDetails({ supported: true })).toEqual({ supported: true, citations: [] });
  });
});

describe('mostCitedInUnsupported', () => {
  const articles = [
    { id: 'a', slug: 'shipping-fees', title: 'Shipping fees' },
    { id: 'b', slug: 'returns', title: 'Returns' },
    { id: 'c', slug: 'promo', title: 'Promo codes' },
  ];
  const row = (supported: boolean, ids: Array<string | { articleId: string; slug?: string; version?: number }>) => ({
    value: supported ? 0 : 1,
    details: JSON.stringify({ supported, citations: ids.map((x) => (typeof x === 'string' ? { articleId: x, version: 1 } : x)) }),
  });

  it('ranks articles by unsupported answers citing them, then by their unsupported rate', () => {
    const report = mostCitedInUnsupported(
      [
        row(false, ['a', 'b']),
        row(false, ['a', 'a']),
        row(false, [{ articleId: 'c0rrupted-[CARD]', slug: 'promo', version: 3 }]),
        row(false, ['c']),
        row(true, ['c']),
        row(true, ['c']),
        row(true, ['b']),
        row(false, []),
        row(false, ['gone']),
        { value: 1, details: '{broken' },
        { value: 0, details: '{}' },
      ],
      articles,
    );
    expect(report).toMatchObject({ scored: 11, unsupported: 7, unsupportedWithoutCitations: 2, invalidDetails: 2 });
    expect(report.items.map((i) => [i.articleId, i.unsupported, i.cited, i.unsupportedRate, i.known])).toEqual([
      ['a', 2, 2, 1, true],
      ['c', 2, 4, 0.5, true],
      ['gone', 1, 1, 1, false],
      ['b', 1, 2, 0.5, true],
    ]);
    expect(report.items[1]).toMatchObject({ slug: 'promo', title: 'Promo codes', versions: [3, 1] });
  });

  it('is empty without rows', () => {
    expect(mostCitedInUnsupported([], articles)).toEqual({ scored: 0, unsupported: 0, unsupportedWithoutCitations: 0, invalidDetails: 0, items: [] });
  });
});
