import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberWords, ordinalWords } from './eval.ts';
import { extractSlots, normaliseSpokenNumbers, slotKindFor, type ExtractContext, type SlotResult, type SlotSpec } from './index.ts';

/** SGD's "today": Friday 1 March 2019. */
const CTX: ExtractContext = { referenceDate: '2019-03-01' };

function one(text: string, spec: SlotSpec | string, ctx: ExtractContext = {}): SlotResult {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  return extractSlots(text, [s], { ...CTX, ...ctx }).slots[s.name]!;
}
function value(text: string, spec: SlotSpec | string, ctx: ExtractContext = {}): unknown {
  const r = one(text, spec, ctx);
  return r.status === 'filled' ? r.value : `${r.status}:${JSON.stringify(r.candidates.map((c) => c.value))}`;
}
const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('normaliseSpokenNumbers', () => {
  it.each([
    ['four five six', '456'],
    ['one twenty three', '123'],
    ['double five', '55'],
    ['oh five', '05'],
    ['forty five dollars and ninety nine cents', '45 dollars and 99 cents'],
    ['twelve hundred', '1200'],
    ['two thousand and twenty four', '2024'],
    ['the fifth of march', 'the 5th of march'],
    ['twenty first', '21st'],
    ['two one way tickets', '2 one way tickets'],
    ["two o'clock", "2 o'clock"],
    ['make it for the second', 'make it for the 2nd'],
    ['the one I bought', 'the one I bought'],
    ['oh no', 'oh no'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseSpokenNumbers(input)).toBe(expected);
  });

  it('reads any number said in words (0 … 999 999)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        expect(normaliseSpokenNumbers(numberWords(n))).toBe(String(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads digit strings said digit by digit, with "oh" and "double"', () => {
    const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 16 }), fc.boolean(), (ds, useOh) => {
        const words: string[] = [];
        for (let i = 0; i < ds.length; i++) {
          if (i + 1 < ds.length && ds[i] === ds[i + 1] && i % 3 === 0) {
            words.push('double', WORDS[ds[i]!]!);
            i++;
          } else words.push(ds[i] === 0 && useOh ? 'oh' : WORDS[ds[i]!]!);
        }
        expect(normaliseSpokenNumbers(words.join(' '))).toBe(ds.join(''));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('amounts', () => {
  it.each([
    ['$45.99', 45.99],
    ['it was 45.99 dollars', 45.99],
    ['forty five dollars and ninety nine cents', 45.99],
    ['forty five dollars ninety nine', 45.99],
    ['$1,200', 1200],
    ['1,240 bucks', 1240],
    ['twelve hundred dollars', 1200],
    ['a hundred and twenty bucks', 120],
    ['one thousand five hundred bucks', 1500],
    ['One hundred and twenty dollars', 120],
    ['151 bucks', 151],
    ['ninety nine cents', 0.99],
    ['about 2 grand', 2000],
    ['$2.5k', 2500],
    ['send thirty five dollars to my landlord', 35],
  ])('%s → %s', (text, amount) => {
    expect(value(text, 'amount')).toEqual(usd(amount));
  });

  it('reads other currencies', () => {
    expect(value('€30', 'amount')).toEqual({ amount: 30, currency: 'EUR' });
    expect(value('twenty pounds', 'amount')).toEqual({ amount: 20, currency: 'GBP' });
  });

  it('takes a bare number when an amount was asked for', () => {
    expect(value('1320', 'amount', { expecting: 'amount' })).toEqual(usd(1320));
    expect(value('twelve hundred', 'amount', { expecting: 'amount' })).toEqual(usd(1200));
    expect(value('um about three hundred', 'amount', { expecting: 'amount' })).toEqual(usd(300));
    expect(one('I have 2 kids', 'amount').status).toBe('missing');
  });

  it('flags "twelve fifty" (12.50 or 1250) and two different amounts', () => {
    const r = one('twelve fifty', 'amount', { expecting: 'amount' });
    expect(r.status).toBe('ambiguous');
    expect(r.candidates.map((c) => c.value)).toEqual([usd(12.5), usd(1250)]);
    expect(one('I was charged $45.99 instead of $39.99', 'amount').status).toBe('filled');
    expect(one('it was either $45 or $50', 'amount').status).toBe('conflict');
  });

  it('reads any dollars-and-cents amount said in words', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 99 }), (d, c) => {
        expect(value(`${numberWords(d)} dollars and ${numberWords(c)} cents`, 'amount')).toEqual(usd(Math.round((d + c / 100) * 100) / 100));
      }),
      { numRuns: 500 },
    );
  });
});

describe('dates', () => {
  it.each([
    ['today', '2019-03-01'],
    ['later today', '2019-03-01'],
    ['tomorrow', '2019-03-02'],
    ['the day after tomorrow', '2019-03-03'],
    ['yesterday', '2019-02-28'],
    ['next friday', '2019-03-08'],
    ['next monday', '2019-03-04'],
    ['monday next week', '2019-03-04'],
    ['tuesday next week', '2019-03-05'],
    ['next week on wednesday', '2019-03-06'],
    ['this saturday', '2019-03-02'],
    ['saturday this week', '2019-03-02'],
    ['on sunday', '2019-03-03'],
    ['last tuesday', '2019-02-26'],
    ['the fifth of march', '2019-03-05'],
    ['march fifth', '2019-03-05'],
    ['March 5th', '2019-03-05'],
    ['march the twenty third', '2019-03-23'],
    ['3rd of March', '2019-03-03'],
    ['the 11th', '2019-03-11'],
    ['13th of this month', '2019-03-13'],
    ['the second of next month', '2019-04-02'],
    ['on the thirteenth day of the month', '2019-03-13'],
    ['in three days', '2019-03-04'],
    ['a week from today', '2019-03-08'],
    ['two weeks from now', '2019-03-15'],
    ['3/5', '2019-03-05'],
    ['3/5/2024', '2024-03-05'],
    ['2024-03-05', '2024-03-05'],
    ['february 10th', '2020-02-10'],
    ['the fourteenth of march twenty twenty four', '2024-03-14'],
    ['December 25, 2019', '2019-12-25'],
  ])('%s → %s', (text, iso) => {
    expect(value(text, 'date')).toBe(iso);
  });

  it('counts from the caller’s calendar day in their time zone', () => {
    // 03:00 UTC on 2 March is still 1 March in California.
    const ctx = { referenceDate: new Date('2019-03-02T03:00:00Z'), timeZone: 'America/Los_Angeles' };
    expect(value('tomorrow', 'date', ctx)).toBe('2019-03-02');
    expect(value('tomorrow', 'date', { referenceDate: new Date('2019-03-02T03:00:00Z'), timeZone: 'UTC' })).toBe('2019-03-03');
    expect(value('tomorrow', 'date', { referenceDate: new Date('2019-03-02T03:00:00Z'), timeZone: 'Not/AZone' })).toBe('2019-03-03');
  });

  it('reads past dates for past questions', () => {
    expect(value('I ordered it on march fifth', 'date', { referenceDate: '2019-03-01', dateBias: 'past' })).toBe('2018-03-05');
    expect(value('on monday', 'date', { dateBias: 'past' })).toBe('2019-02-25');
    expect(value('the 20th', 'date', { dateBias: 'past' })).toBe('2019-02-20');
  });

  it('reads day-first numeric dates when asked to', () => {
    expect(value('5/3/2024', 'date', { dateOrder: 'DMY' })).toBe('2024-03-05');
  });

  it('flags "next Saturday" said on a Friday, and vague answers', () => {
    const r = one('next saturday', 'date');
    expect(r.status).toBe('ambiguous');
    expect(r.candidates.map((c) => c.value)).toEqual(['2019-03-02', '2019-03-09']);
    expect(value('next saturday', 'date', { nextWeekday: 'following' })).toBe('2019-03-09');
    expect(value('next saturday', 'date', { nextWeekday: 'upcoming' })).toBe('2019-03-02');
    expect(one('sometime next week', 'date')).toMatchObject({ status: 'ambiguous', reason: 'vague: sometime next week' });
    expect(one('this weekend', 'date').candidates.map((c) => c.value)).toEqual(['2019-03-02', '2019-03-03']);
  });

  it('takes the corrected date and drops the one ruled out', () => {
    expect(one('March 5th, no sorry, March 6th', 'date')).toMatchObject({ status: 'filled', value: '2019-03-06', reason: 'corrected' });
    expect(value('on the 12th of March and not tomorrow', 'date')).toBe('2019-03-12');
    expect(one('either the 5th or the 6th', 'date').status).toBe('conflict');
  });

  it('resolves "in N days" and "<month> <ordinal>" for any reference day', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 60 }), (ref, n) => {
        const refIso = ref.toISOString().slice(0, 10);
        const expected = new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate() + n)).toISOString().slice(0, 10);
        expect(value(`in ${numberWords(n)} days`, 'date', { referenceDate: refIso })).toBe(expected);
        const target = new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate() + n));
        const month = target.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
        const got = value(`${month} ${ordinalWords(target.getUTCDate())}`, 'date', { referenceDate: refIso });
        expect(got).toBe(target.toISOString().slice(0, 10));
      }),
      { numRuns: 400 },
    );
  });
});

describe('times', () => {
  it.each([
    ['6 pm', '18:00'],
    ['6pm', '18:00'],
    ['6:30 p.m.', '18:30'],
    ['18:30', '18:30'],
    ['09:15', '09:15'],
    ['half past 4 in the evening', '16:30'],
    ['quarter past 1 in the afternoon', '13:15'],
    ['quarter to 3 in the afternoon', '14:45'],
    ['quarter to one in the afternoon', '12:45'],
    ['afternoon 1:15', '13:15'],
    ['morning 11:15', '11:15'],
    ['evening 4:30', '16:30'],
    ['3 in the afternoon', '15:00'],
    ["2 o'clock in the afternoon", '14:00'],
    ['two o clock in the afternoon', '14:00'],
    ['seven thirty pm', '19:30'],
    ['seven oh five in the morning', '07:05'],
    ['at twelve thirty', '12:30'],
    ['noon', '12:00'],
    ['midnight', '00:00'],
    ['9 at night', '21:00'],
    ['ten a.m.', '10:00'],
  ])('%s → %s', (text, hhmm) => {
    expect(value(text, 'pickup_time')).toBe(hhmm);
  });

  it('flags an hour with no am/pm, unless business hours are assumed', () => {
    const r = one('at 4', 'time', { expecting: 'time' });
    expect(r.status).toBe('ambiguous');
    expect(r.candidates.map((c) => c.value)).toEqual(['04:00', '16:00']);
    expect(one('around ten thirty', 'time').candidates.map((c) => c.value)).toEqual(['10:30', '22:30']);
    expect(value('at 4', 'time', { expecting: 'time', bareHour: 'business-hours' })).toBe('16:00');
    expect(value('at 9', 'time', { expecting: 'time', bareHour: 'business-hours' })).toBe('09:00');
  });
});

describe('ids: order, account, username, zip, card last four', () => {
  it('reads ABCD order ids typed, spoken and grouped', () => {
    expect(value('Order ID: 3348917502', 'order_id')).toBe('3348917502');
    expect(value('my order number is three three four eight nine one seven five oh two', 'order_id')).toBe('3348917502');
    expect(value('three three four, eight nine one, seven five oh two', 'order_id', { expecting: 'order_id' })).toBe('3348917502');
    expect(value('double three four eight nine one seven five zero two', 'order_id', { expecting: 'order_id' })).toBe('3348917502');
    expect(one('my order is 12345', 'order_id').status).toBe('missing');
  });

  it('reads account ids typed and spelled', () => {
    expect(value('account id JJ8XG1BBZN', 'account_id')).toBe('JJ8XG1BBZN');
    expect(value('jj8xg1bbzn', 'account_id')).toBe('JJ8XG1BBZN');
    expect(value('my account ID is J J eight X-ray G one B B Z N', 'account_id')).toBe('JJ8XG1BBZN');
    expect(value('juliet juliet eight xray golf one bravo bravo zulu november', 'account_id', { expecting: 'account_id' })).toBe('JJ8XG1BBZN');
    expect(value('J as in juliet, J, 8, X, G, 1, double B, Z, N', 'account_id', { expecting: 'account_id' })).toBe('JJ8XG1BBZN');
    expect(one('everything is fine', 'account_id').status).toBe('missing');
  });

  it('reads usernames', () => {
    expect(value('Username: cminh730', 'username')).toBe('cminh730');
    expect(value('aphoenix939', 'username', { expecting: 'username' })).toBe('aphoenix939');
    expect(value("it's c minh seven three zero", 'username', { expecting: 'username' })).toBe('cminh730');
  });

  it('reads ZIP codes and the last four digits of a card', () => {
    expect(value('my zip code is 75227', 'zip_code')).toBe('75227');
    expect(value('seven five two two seven', 'zip_code', { expecting: 'zip_code' })).toBe('75227');
    expect(value('zip is 75227-1234', 'zip_code')).toBe('75227-1234');
    expect(one('I have 75227 points', 'zip_code').status).toBe('missing');
    expect(value('the card ending in 1234', 'card_last4')).toBe('1234');
    expect(value('last four digits are four three two one', 'card_last4')).toBe('4321');
    const full = one('it is 4111 1111 1111 1111', 'card_last4');
    expect(full).toMatchObject({ status: 'filled', value: '1111' });
    expect(full.candidates[0]!.note).toBe('full_card_number');
  });
});

describe('phones and emails', () => {
  it.each([
    ['(977) 625-2661', '+19776252661'],
    ['977-625-2661', '+19776252661'],
    ['my phone number is nine seven seven six two five two six six one', '+19776252661'],
    ['call me on +44 20 7946 0958', '+442079460958'],
    ['1 800 555 0123', '+18005550123'],
  ])('%s → %s', (text, e164) => {
    expect(value(text, 'phone_number')).toBe(e164);
  });

  it.each([
    ['cminh730@email.com', 'cminh730@email.com'],
    ['my email is john dot smith at gmail dot com', 'john.smith@gmail.com'],
    ['it is J dot Smith at Yahoo dot co dot uk', 'j.smith@yahoo.co.uk'],
    ['c m i n h seven three zero at email dot com', 'cminh730@email.com'],
  ])('%s → %s', (text, email) => {
    expect(value(text, 'email')).toBe(email);
  });

  it('does not guess between an order id and a phone number', () => {
    const r = extractSlots('7916676427', [{ name: 'order_id' }, { name: 'phone_number' }], CTX).slots;
    expect(r.order_id!.status).toBe('ambiguous');
    expect(r.phone_number!.status).toBe('ambiguous');
    const asked = extractSlots('7916676427', [{ name: 'order_id' }, { name: 'phone_number' }], { ...CTX, expecting: 'phone_number' }).slots;
    expect(asked.phone_number).toMatchObject({ status: 'filled', value: '+17916676427' });
    expect(asked.order_id!.status).toBe('missing');
    const cued = extractSlots('Order ID: 3348917502 and my phone is (977) 625-2661', [{ name: 'order_id' }, { name: 'phone_number' }], CTX).slots;
    expect(cued.order_id).toMatchObject({ status: 'filled', value: '3348917502' });
    expect(cued.phone_number).toMatchObject({ status: 'filled', value: '+19776252661' });
  });
});

describe('yes / no', () => {
  const yes = ['yes', 'yeah', 'yep', 'yup', 'sure', "that's right", 'that is correct', 'correct', 'absolutely', 'of course', 'uh huh', 'go ahead', 'yes please', 'sounds good', 'Yeah, that works.', 'ok', 'I do.', 'Yes, that is it.', 'perfect'];
  const no = ['no', 'nope', 'nah', "no that's wrong", 'not really', 'that is not correct', "that's not right", "no, that's all, thanks", 'no thank you', "I don't think so", 'negative', 'not at this time', "No, I'm good", 'absolutely not', "that's all I need"];
  it.each(yes)('yes: %s', (t) => {
    expect(value(t, 'confirm')).toBe(true);
  });
  it.each(no)('no: %s', (t) => {
    expect(value(t, 'confirm')).toBe(false);
  });

  it('flags contradictions and uncertainty, follows corrections', () => {
    expect(one("no, that's right", 'confirm').status).toBe('conflict');
    expect(one('yes no', 'confirm').status).toBe('conflict');
    expect(value('yes, wait, no', 'confirm')).toBe(false);
    expect(value('no, actually yes', 'confirm')).toBe(true);
    expect(one("I'm not sure", 'confirm')).toMatchObject({ status: 'ambiguous', reason: 'vague: unsure' });
    expect(one("I don't know", 'confirm').status).toBe('ambiguous');
    expect(value('yes, but change it to four tickets', 'confirm')).toBe(false);
    expect(one('is that right?', 'confirm').status).toBe('missing');
    expect(value('sure, no problem', 'confirm')).toBe(true);
  });

  it('maps to a categorical True/False slot', () => {
    expect(value('yes please', { name: 'refundable', values: ['True', 'False'] })).toBe('True');
  });
});

describe('numbers and categorical values', () => {
  it.each([
    ['four', 4],
    ['4', 4],
    ['3 tickets please', 3],
    ['three tickets', 3],
    ['a couple of tickets', 2],
    ['just me', 1],
    ['one ticket', 1],
  ])('%s → %s', (text, n) => {
    expect(value(text, 'number_of_tickets', { expecting: 'number_of_tickets' })).toBe(n);
  });

  it('reads digit sequences with less confidence, prefers the slot’s noun, flags "5 or 6"', () => {
    const seq = one('four five six', 'number', { expecting: 'number' });
    expect(seq).toMatchObject({ status: 'filled', value: 456 });
    expect(seq.confidence).toBeLessThan(0.8);
    expect(value('one twenty three', 'number', { expecting: 'number' })).toBe(123);
    expect(value('double five', 'number', { expecting: 'number' })).toBe(55);
    expect(value('2 adults and 3 kids', 'number_of_adults')).toBe(2);
    expect(value('I have 3 children, so I need 4 bedrooms', 'number_of_beds')).toBe(4);
    expect(one('5 or 6 tickets', 'number_of_tickets').status).toBe('conflict');
    expect(value('make it 5 tickets, no sorry 6 tickets', 'number_of_tickets')).toBe(6);
    expect(value('I want 2 tickets for march 5 at 7 pm', 'number_of_tickets')).toBe(2);
  });

  it('matches listed values', () => {
    const spec = { name: 'account_type', values: ['checking', 'savings'] };
    expect(value('from my savings account', spec)).toBe('savings');
    expect(value('Checking please', spec)).toBe('checking');
    expect(one('checking or savings, not sure', spec).status).toBe('conflict');
    expect(value("it doesn't matter", { name: 'seating_class', values: ['Economy', 'Business'] })).toBe('dontcare');
    expect(value('2', { name: 'group_size', values: ['1', '2', '3', '4'] }, { expecting: 'group_size' })).toBe('2');
  });
});

describe('extractSlots', () => {
  it('infers kinds from SGD and ABCD slot names', () => {
    expect(
      ['amount', 'departure_date', 'pickup_time', 'number_of_tickets', 'order_id', 'account_id', 'zip_code', 'phone_number', 'email', 'username', 'city', 'recipient_account_name'].map((n) => slotKindFor(n)),
    ).toEqual(['amount', 'date', 'time', 'number', 'order_id', 'account_id', 'zip', 'phone', 'email', 'username', 'text', 'text']);
    expect(slotKindFor('account_type', ['checking', 'savings'])).toBe('categorical');
    expect(slotKindFor('refundable', ['True', 'False'])).toBe('yes_no');
  });

  it('fills several slots from one utterance with spans into the original text', () => {
    const text = 'Transfer forty five dollars from my savings account on March fifth';
    const r = extractSlots(text, [{ name: 'amount' }, { name: 'account_type', values: ['checking', 'savings'] }, { name: 'transfer_date', kind: 'date' }], CTX);
    expect(r.slots.amount).toMatchObject({ status: 'filled', value: usd(45) });
    expect(text.slice(r.slots.amount!.start, r.slots.amount!.end)).toBe('forty five dollars');
    expect(r.slots.account_type!.value).toBe('savings');
    expect(r.slots.transfer_date!.value).toBe('2019-03-05');
    expect(text.slice(r.slots.transfer_date!.start, r.slots.transfer_date!.end)).toBe('March fifth');
    expect(r.normalised).toBe('Transfer 45 dollars from my savings account on March 5th');
  });

  it('never throws and keeps spans inside the text', () => {
    const specs: SlotSpec[] = ['amount', 'date', 'time', 'number', 'order_id', 'account_id', 'username', 'zip_code', 'phone_number', 'email', 'card_last4', 'confirm'].map((name) => ({ name }));
    specs[11] = { name: 'confirm', kind: 'yes_no' };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.constantFrom('one', 'two', 'oh', 'double', 'at', 'dot', 'com', 'next', 'friday', 'the', '5th', '$', '12', ':', 'pm', 'yes', 'no', 'march', 'hundred', ','), { maxLength: 20 }).map((w) => w.join(' '))), (text) => {
        const r = extractSlots(text, specs, CTX);
        for (const s of Object.values(r.slots)) {
          expect(['filled', 'missing', 'ambiguous', 'conflict']).toContain(s.status);
          if (s.status !== 'filled') expect(s.value).toBeUndefined();
          for (const c of s.candidates) {
            expect(c.start).toBeGreaterThanOrEqual(0);
            expect(c.end).toBeLessThanOrEqual(text.length);
            expect(c.text).toBe(text.slice(c.start, c.end));
          }
        }
      }),
      { numRuns: 400 },
    );
    expect(() => extractSlots(undefined as unknown as string, [{ name: 'amount' }])).not.toThrow();
  });
});
