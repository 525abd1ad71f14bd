import { describe, expect, it } from 'vitest';
import { dateFromWords, digitsFromWords, yesNoFromWords } from './slots.ts';

describe('digitsFromWords', () => {
  it('reads digit words, "oh" and double/triple', () => {
    expect(digitsFromWords('four one seven two')).toBe('4172');
    expect(digitsFromWords('four oh double seven')).toBe('4077');
    expect(digitsFromWords('triple nine zero')).toBe('9990');
  });
  it('rejects anything else', () => {
    expect(digitsFromWords('')).toBeNull();
    expect(digitsFromWords('four hundred')).toBeNull();
    expect(digitsFromWords('double')).toBeNull();
  });
});

describe('yesNoFromWords', () => {
  it('maps the yes/no grammar outputs', () => {
    expect(yesNoFromWords('yes that is correct')).toBe(true);
    expect(yesNoFromWords('that sounds good')).toBe(true);
    expect(yesNoFromWords('no thank you')).toBe(false);
    expect(yesNoFromWords('that is not right')).toBe(false);
    expect(yesNoFromWords('')).toBeNull();
    expect(yesNoFromWords('maybe later')).toBeNull();
  });
});

describe('dateFromWords', () => {
  const today = new Date(2026, 10, 23); // Monday 23 November 2026
  it('resolves month + ordinal, ordinal of month, and a year', () => {
    expect(dateFromWords('march tenth', today)).toBe('2027-03-10');
    expect(dateFromWords('on the twenty first of december', today)).toBe('2026-12-21');
    expect(dateFromWords('november thirtieth twenty twenty six', today)).toBe('2026-11-30');
    expect(dateFromWords('the fifth', today)).toBe('2026-12-05');
    expect(dateFromWords('february thirtieth', today)).toBeNull();
  });
  it('resolves relative days and weekdays', () => {
    expect(dateFromWords('tomorrow', today)).toBe('2026-11-24');
    expect(dateFromWords('the day after tomorrow', today)).toBe('2026-11-25');
    expect(dateFromWords('friday', today)).toBe('2026-11-27');
    expect(dateFromWords('next monday', today)).toBe('2026-11-30');
    expect(dateFromWords('wednesday next week', today)).toBe('2026-12-02');
    expect(dateFromWords('in two weeks', today)).toBe('2026-12-07');
    expect(dateFromWords('hello', today)).toBeNull();
  });
});
