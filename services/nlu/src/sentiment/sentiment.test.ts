import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreSentiment } from './score.ts';
import { SentimentTracker } from './tracker.ts';

describe('scoreSentiment', () => {
  it.each([
    ['This is ridiculous, third time calling!', 'negative'],
    ['I want to speak to a manager', 'negative'],
    ['cancel my account, I am done with you', 'negative'],
    ['thanks for nothing', 'negative'],
    ['oh great, another automated system', 'negative'],
    ['I have been on hold for an hour', 'negative'],
    ['thank you so much, that fixed it', 'positive'],
    ['no problem at all', 'positive'],
    ['can you help me with my order please', 'neutral'],
    ['I would like to update my shipping address', 'neutral'],
    ['yes that is my email', 'neutral'],
    ['the jeans are the wrong size', 'neutral'],
    ['', 'neutral'],
  ])('%s → %s', (text, label) => {
    const r = scoreSentiment(text);
    expect(r.label).toBe(label);
    expect(r.score).toBeGreaterThanOrEqual(-1);
    expect(r.score).toBeLessThanOrEqual(1);
  });

  it('reports contact-center signals and the phrases behind them', () => {
    expect(scoreSentiment('get me a supervisor').signals.escalation).toBe(true);
    expect(scoreSentiment('I am switching to your competitor').signals.churn).toBe(true);
    expect(scoreSentiment('this is the third time I am calling').signals.repeat).toBe(true);
    expect(scoreSentiment('nobody ever calls me back').signals.repeat).toBe(true);
    const r = scoreSentiment('I want to file a complaint');
    expect(r.signals.complaint).toBe(true);
    expect(r.terms.map((t) => t.text)).toEqual(['file a complaint']);
    // "don't" before an escalation phrase cancels it
    expect(scoreSentiment("I don't need to speak to a manager, it's fine").signals.escalation).toBe(false);
  });

  it('is plain VADER when the contact-center terms are off', () => {
    const r = scoreSentiment('thanks for nothing', { contactCenter: false });
    expect(r.score).toBe(r.vader);
    expect(r.score).toBeGreaterThan(0);
  });

  it('never throws and stays in range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (t) => {
        const r = scoreSentiment(t);
        expect(Number.isFinite(r.score)).toBe(true);
        expect(Math.abs(r.score)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
    expect(scoreSentiment(undefined).label).toBe('neutral');
    expect(scoreSentiment('x'.repeat(100_000)).label).toBe('neutral');
  });
});

describe('SentimentTracker', () => {
  it('escalates when negativity persists, not on one bad turn', () => {
    const t = new SentimentTracker();
    expect(t.add('hi, my package has not arrived').shouldEscalate).toBe(false);
    expect(t.add('this is ridiculous').shouldEscalate).toBe(false);
    expect(t.add('ok let me check').shouldEscalate).toBe(false);
    expect(t.add('I was on hold for forty five minutes last time').shouldEscalate).toBe(false);
    const s = t.add('this is a complete waste of my time');
    expect(s.shouldEscalate).toBe(true);
    expect(s.reasons).toContain('persistent_negative');
    expect(s.escalatedAt).toBe(5);
    expect(s.negativeStreak).toBe(2);
  });

  it('escalates at once when the caller asks for a manager, and on repeated repeat-contact complaints', () => {
    const a = new SentimentTracker();
    expect(a.add('I want to speak to a supervisor now').reasons).toEqual(expect.arrayContaining(['asked_for_human']));
    const b = new SentimentTracker();
    b.add('this is the third time I am calling about this');
    expect(b.add('I already explained this twice, nobody ever calls me back').reasons).toContain('repeat_contact');
  });

  it('ignores agent turns, tracks the trend and resets', () => {
    const t = new SentimentTracker();
    t.add('thank you so much');
    t.add('I am so sorry for the trouble, this is terrible', 'agent');
    expect(t.state.turns).toBe(1);
    t.add('actually this is unacceptable');
    expect(t.state.trend).toBeLessThan(0);
    expect(t.state.ewma).toBeLessThan(t.history[0]!.score);
    t.reset();
    expect(t.state).toMatchObject({ turns: 0, shouldEscalate: false, ewma: 0 });
  });

  it('calms down when the caller does', () => {
    const t = new SentimentTracker();
    for (const s of ['this is ridiculous', 'you guys are useless', 'this is unacceptable']) t.add(s);
    expect(t.state.shouldEscalate).toBe(true);
    for (const s of ['ok that works', 'great thank you so much', 'perfect that fixed it', 'thanks have a nice day']) t.add(s);
    expect(t.state.shouldEscalate).toBe(false);
    expect(t.state.escalatedAt).toBe(2);
  });
});
