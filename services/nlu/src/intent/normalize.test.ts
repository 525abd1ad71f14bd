import { describe, expect, it } from 'vitest';
import { normalizeUtterance, normalizeWords } from './normalize.ts';

describe('normalizeUtterance', () => {
  it('brings typed chat and ASR output to one form', () => {
    expect(normalizeUtterance('I want to send $25 to John!')).toBe(normalizeUtterance('i want to send twenty five dollars to john'));
    expect(normalizeUtterance("I can't log in")).toBe(normalizeUtterance('i cannot log in'));
    expect(normalizeUtterance('I CAN NOT LOG IN.')).toBe('i can not log in');
    expect(normalizeUtterance('Café – résumé')).toBe('cafe resume');
    expect(normalizeUtterance('March 14th')).toBe(normalizeUtterance('march fourteenth'));
    expect(normalizeUtterance('one thousand two hundred and fifty')).toBe('0');
  });

  it('keeps "one" as a word unless it is part of a number', () => {
    expect(normalizeUtterance('a one way ticket, this one')).toBe('a one way ticket this one');
    expect(normalizeUtterance('twenty one days')).toBe('0 days');
    expect(normalizeUtterance('my second card')).toBe('my second card');
  });

  it('keeps letters of other scripts (so unknown-language text stays visible) and drops punctuation', () => {
    expect(normalizeWords('¿Dónde está mi dinero?')).toEqual(['donde', 'esta', 'mi', 'dinero']);
    expect(normalizeWords('我想转账')).toEqual(['我想转账']);
    expect(normalizeWords('?!... ---')).toEqual([]);
  });

  it('never throws on odd input', () => {
    for (const x of [undefined, null, 42, {}, [], '', '\u0000\uffff', '\ud800', 'a'.repeat(100_000)]) expect(() => normalizeWords(x)).not.toThrow();
    expect(normalizeWords(null)).toEqual([]);
    expect(normalizeWords('a '.repeat(100_000)).length).toBeLessThanOrEqual(2000);
  });
});
