import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basicRedactor, checkInput, freeTextAnswer, wantsHuman, yesNo } from './text.ts';
import { demoEngine } from './test-support.ts';

describe('yes/no', () => {
  it.each([
    ['yes', 'yes'],
    ['yeah go ahead', 'yes'],
    ["that's right", 'yes'],
    ['yes, no problem', 'yes'],
    ['no', 'no'],
    ["no that's wrong", 'no'],
    ["that's not right", 'no'],
    ['cancel it', 'no'],
    ["I'm not sure", null],
    ['what is the fee', null],
  ])('%s → %s', (text, want) => expect(yesNo(text)).toBe(want));

  it('reads DTMF 1 and 2', () => {
    expect(yesNo('', '1')).toBe('yes');
    expect(yesNo('', '2')).toBe('no');
  });
});

describe('human requests', () => {
  it.each([
    ['agent', true],
    ['Representative please', true],
    ['can I talk to a human', true],
    ['connect me with someone', true],
    ['I want a real person', true],
    ['transfer money to my savings', false],
    ['I need to transfer $50 to Maria', false],
    ['my travel agent booked it', false],
  ])('%s → %s', (text, want) => expect(wantsHuman(text)).toBe(want));
});

describe('input checks and helpers', () => {
  const opts = { maxChars: 100, minAsrConfidence: 0.3 };
  it('classifies problem input', () => {
    expect(checkInput(undefined, undefined, undefined, opts).problem).toBe('no_input');
    expect(checkInput('', '97154', undefined, opts)).toEqual({ text: '97154', problem: null });
    expect(checkInput('x'.repeat(101), undefined, undefined, opts).problem).toBe('too_long');
    expect(checkInput('Привет, как дела', undefined, undefined, opts).problem).toBe('unsupported_language');
    expect(checkInput('hmmm, checking please', undefined, undefined, opts).problem).toBeNull();
    expect(checkInput('checking', undefined, 0.1, opts).problem).toBe('low_asr_confidence');
  });

  it('takes short free-text answers only', () => {
    expect(freeTextAnswer('To Abhinav, please.')).toBe('Abhinav');
    expect(freeTextAnswer("It's Maria Lopez")).toBe('Maria Lopez');
    expect(freeTextAnswer('what do you mean by recipient?')).toBeNull();
    expect(freeTextAnswer('well I was thinking that maybe we could do it another day instead')).toBeNull();
  });

  it('the fallback redactor masks e-mails, digit runs and letter-digit ids', () => {
    expect(basicRedactor.redact('mail jane@example.com, account BPV2KHXT1G, card 4111 1111 1111 1111, 3 items')).toBe('mail [EMAIL], account [NUMBER], card [NUMBER], 3 items');
  });
});

describe('any utterance', () => {
  it('gets a decision, never an exception', async () => {
    const { engine } = demoEngine();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.constantFrom('', ' ', '\u0000', '?'.repeat(2000))), fc.option(fc.stringMatching(/^[0-9*#]{0,6}$/), { nil: undefined }), async (text, dtmf) => {
        const { session } = await engine.startSession({ callId: 'prop', callerAni: '+15625550119' });
        for (let i = 0; i < 3; i++) {
          const d = await session.handleTurn({ text, ...(dtmf !== undefined ? { dtmf } : {}) });
          expect(['say', 'ask_slot', 'confirm', 'run_action', 'answer', 'clarify', 'escalate', 'end']).toContain(d.kind);
          expect(d.reason).not.toBe('internal_error');
          expect(typeof d.text).toBe('string');
        }
      }),
      { numRuns: 60 },
    );
  });
});
