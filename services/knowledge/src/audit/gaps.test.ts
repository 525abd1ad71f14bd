import { buildKbArticles } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { KbIndex } from '../retrieval.ts';
import { findCoverageGaps, isQuestionLike, type CallerUtterance } from './gaps.ts';

const kb = buildKbArticles().map((a) => ({ id: `id-${a.slug}`, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status }));
const index = KbIndex.build(kb);
const background = kb.map((a) => `${a.title}\n${a.body}`);

const turns = (texts: string[], call = (i: number) => `call-${i}`): CallerUtterance[] => texts.map((text, i) => ({ text, callId: call(i), intent: 'unknown', at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }));

describe('findCoverageGaps', () => {
  const asked = turns([
    // Four about shipping to Canada, three about an app, one about bitcoin: none is in the KB.
    'do you ship to canada',
    'can I get my order shipped to Canada?',
    'do you deliver to canada',
    'do you ship to canada',
    'is there a mobile app',
    'do you have an app for my iphone',
    'how do I download your app',
    'can I pay with bitcoin',
    // Answered by the KB.
    'how long do silver members have to return an item',
    'how much is standard shipping',
    'my promo code does not work, can you help',
    'I want to change my address',
    // Not questions.
    'yes',
    'thank you',
    'okay',
  ]);
  const report = findCoverageGaps(index, asked, { background });

  it('counts questions, answered and unanswered ones', () => {
    expect(report).toMatchObject({ utterances: 15, questions: 12, answered: 4, unanswered: 8, clusterCount: 3 });
  });

  it('groups similar unanswered questions and ranks them by frequency, with examples', () => {
    expect(report.clusters.map((c) => [c.count, c.calls])).toEqual([
      [4, 4],
      [3, 3],
      [1, 1],
    ]);
    const [canada, app, bitcoin] = report.clusters;
    expect(canada!.label).toMatch(/canada/);
    expect(canada!.examples[0]).toBe('do you ship to canada');
    expect(canada!.examples).toHaveLength(3);
    expect(canada!.share).toBe(0.5);
    expect(canada!.nearest).toMatchObject({ slug: expect.any(String) });
    expect(canada!.nearest!.coverage).toBeLessThan(0.4);
    expect(canada!.intents).toEqual([{ intent: 'unknown', count: 4 }]);
    expect(canada!.firstAt).toBe('2026-01-01T00:00:00.000Z');
    expect(app!.label).toMatch(/app/);
    expect(bitcoin!.examples).toEqual(['can I pay with bitcoin']);
  });

  it('counts calls, not utterances, for the same caller repeating a question', () => {
    const repeated = findCoverageGaps(index, turns(['do you ship to canada', 'do you ship to canada?', 'so do you ship to canada'], () => 'one-call'));
    expect(repeated.clusters[0]).toMatchObject({ count: 3, calls: 1 });
  });

  it('is empty without caller turns, and never throws on odd input', () => {
    expect(findCoverageGaps(index, [])).toEqual({ utterances: 0, questions: 0, answered: 0, unanswered: 0, clusters: [], clusterCount: 0 });
    const odd = findCoverageGaps(index, [{ text: '' }, { text: null as unknown as string }, { text: '返品はできますか?' }, { text: 'x'.repeat(100_000) + '?' }]);
    expect(odd.utterances).toBe(4);
  });

  it('tells questions and requests from other talk', () => {
    for (const q of ['how much is shipping', 'I need to cancel', 'can you check my order', 'where is my parcel?', 'is it possible to pay later']) expect(isQuestionLike(q), q).toBe(true);
    for (const s of ['yes', 'my name is John', 'thanks a lot', 'okay bye']) expect(isQuestionLike(s), s).toBe(false);
  });
});
