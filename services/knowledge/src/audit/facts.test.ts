import { describe, expect, it } from 'vitest';
import { extractFacts } from './facts.ts';

const article = (body: string, extra: Partial<{ id: string; title: string; topic: string }> = {}) => ({ id: 'a1', slug: 'a1', title: 'Returns', topic: 'Returns', body, version: 3, ...extra });

describe('extractFacts', () => {
  it('reads durations, money, percentages and counts with their offsets', () => {
    const body = [
      'Refunds are processed within **5 business days**.',
      'Standard shipping costs $8.00 per order; the annual plan is $99 a year.',
      'Promo codes give 20% off. Ask for 3 out of 7 items below.',
      'Silver members get 2 weeks more, or 6 months in total.',
    ].join('\n');
    const facts = extractFacts(article(body));
    expect(facts.map((f) => [f.dimension, f.value, f.unit, f.display, f.comparator])).toEqual([
      ['duration', 5, 'day', '5 business days', 'at_most'],
      ['money', 8, 'USD', '$8.00', 'exact'],
      ['money', 99, 'USD/year', '$99 a year', 'exact'],
      ['percent', 20, '%', '20%', 'exact'],
      ['count', 3, 'item', '3 out of 7 items', 'exact'],
      ['duration', 14, 'day', '2 weeks', 'exact'],
      ['duration', 180, 'day', '6 months', 'exact'],
    ]);
    for (const f of facts) {
      expect(body.slice(f.start, f.end).replace(/\*/g, '')).toBe(f.display);
      expect(body.slice(f.claim.start, f.claim.end)).toContain(body.slice(f.start, f.end));
      expect(f).toMatchObject({ articleId: 'a1', version: 3 });
    }
  });

  it('ties a number to the tier and service named by its sentence or its parent bullets', () => {
    const body = [
      '## Return window',
      '',
      '- Silver members:',
      '  - return possible within the last 6 months',
      '- Guest, Bronze or Silver members:',
      '  - charge $20 for overnight shipping',
      '- Standard shipping: $8 for every membership level.',
    ].join('\n');
    const [window, overnight, standard] = extractFacts(article(body));
    expect(window).toMatchObject({ value: 180, qualifiers: { tier: ['silver'], service: [] }, contextText: ['Silver members:', 'Return window'] });
    expect(window!.context).toEqual(expect.arrayContaining(['member', 'return', 'window']));
    expect(overnight).toMatchObject({ value: 20, qualifiers: { tier: ['bronz', 'guest', 'silver'], service: ['overnight'] } });
    // "every membership level" is no tier restriction.
    expect(standard).toMatchObject({ value: 8, qualifiers: { tier: [], service: ['standard'] } });
  });

  it('leaves out illustrations, arithmetic examples, ordinals, list markers and numbers without a unit', () => {
    const body = [
      '1. For example, a $30 item and a $100 refund.',
      '2. ie. if their old amount is $100 and their new item is $30, then the total is 130.',
      '3. If they were charged $50 and the bill was $60, the refund is $10.',
      '4. Enter 8 into the box, then pick the second option at 7221 Florshim Drive.',
      '5. Option 2',
    ].join('\n');
    expect(extractFacts(article(body))).toEqual([]);
  });

  it('never throws on odd input', () => {
    expect(extractFacts(article(''))).toEqual([]);
    expect(extractFacts({ id: 'x', title: '', body: 'Refunds take 5 days.\n'.repeat(2_000) })).toHaveLength(2_000);
    // One huge line of numbers: cut at 200,000 characters, and an arithmetic run states no policy.
    expect(extractFacts({ id: 'x', title: '', body: '12345 days '.repeat(30_000) })).toEqual([]);
    const body = '返品は30日以内 · 30 días';
    for (const f of extractFacts({ id: 'x', title: 'Ünïcödé', body })) expect(body.slice(f.start, f.end)).toBe(f.display);
  });
});
