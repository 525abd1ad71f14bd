import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, luhnValid } from './luhn.ts';
import { redact, findEmails } from './redact.ts';
import { parseSpokenNumbers } from './spoken.ts';

const r = (text: string, opts = {}) => redact(text, opts).text;
const types = (text: string, opts = {}) => redact(text, opts).findings.map((f) => f.type);

describe('luhn', () => {
  it('checks test card numbers', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true); // Amex
    expect(luhnValid('5555555555554444')).toBe(true); // Mastercard
    expect(luhnValid('12a4')).toBe(false);
    expect(luhnCheckDigit('411111111111111')).toBe('1');
  });
});

describe('parseSpokenNumbers', () => {
  const cases: [string, string][] = [
    ['four one one one one one one one one one one one one one one one', '4111111111111111'],
    ['one twenty three', '123'],
    ['four five six', '456'],
    ['forty five dollars and ninety nine cents', '45 dollars and 99 cents'],
    ['twelve hundred', '1200'],
    ['double five oh one', '5501'],
    ['triple seven', '777'],
    ['nineteen oh five', '1905'],
    ['nineteen eighty five', '1985'],
    ['the twenty third of march', 'the 23rd of march'],
    ['two thousand and twenty four', '2024'],
    ['a hundred and twenty bucks', '120 bucks'],
    ['one thousand five hundred bucks', '1500 bucks'],
    ['one hundred twenty three', '123'],
    ['forty-five', '45'],
    ['zero zero seven', '007'],
    ['oh I see', 'oh I see'],
    ['the one I bought', 'the one I bought'],
    ['wait one second', 'wait one second'],
    ['the second of may', 'the 2nd of may'],
    ['march second', 'march 2nd'],
    ['I need one ticket', 'I need 1 ticket'],
    ['four one one one, one one one one', '4111, 1111'],
    ['Forty Five', '45'],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(parseSpokenNumbers(input).text).toBe(expected);
  });

  it('maps normalised offsets back to the original', () => {
    const p = parseSpokenNumbers('card four one one one ok');
    const at = p.text.indexOf('4111');
    expect(p.toOriginal(at, at + 4)).toEqual([5, 'card four one one one'.length]);
    expect(p.toOriginal(0, 4)).toEqual([0, 4]);
    const ok = p.text.indexOf('ok');
    expect(p.original.slice(...p.toOriginal(ok, ok + 2))).toBe('ok');
  });

  it('reads homophones between digits only when asked', () => {
    expect(parseSpokenNumbers('four one for one').text).toBe('41 for 1');
    expect(parseSpokenNumbers('four one for one', { homophones: true }).text).toBe('4141');
    expect(parseSpokenNumbers('forty five for two shirts', { homophones: true }).text).toBe('45 for 2 shirts');
  });
});

describe('redact: cards', () => {
  it.each([
    ['my card is 4111 1111 1111 1111', 'my card is [CARD]'],
    ['4111-1111-1111-1111', '[CARD]'],
    ['card:4111111111111111.', 'card:[CARD].'],
    ['amex 3782 822463 10005 please', 'amex [CARD] please'],
    ['card number four one one one one one one one one one one one one one one one', 'card number [CARD]'],
    ['four one one one, one one one one, one one one one, one one one one', '[CARD]'],
    ['forty one eleven eleven eleven eleven eleven eleven eleven', '[CARD]'],
    ['five five five five five five five five five five five five double four four four', '[CARD]'],
    ['five five five five five five five five five five five five four four four four', '[CARD]'],
    ['it is 5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 4 thanks', 'it is [CARD] thanks'],
    ['four one one one uh one one one one um one one one one one one one one', '[CARD]'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('redacts a card read out with its expiry in one breath', () => {
    expect(r('four one one one one one one one one one one one one one one one oh five two six')).toBe('[CARD]');
  });

  it('leaves Luhn-invalid numbers alone', () => {
    expect(r('it is 4111-1111-1111-1112')).toBe('it is 4111-1111-1111-1112');
    expect(r('4111 1111 1111 1112')).toBe('4111 1111 1111 1112');
    expect(r('four one one one one one one one one one one one one one one two')).toBe('four one one one one one one one one one one one one one one two');
  });

  it('reads every digit as card data while a card is being collected', () => {
    expect(r('4111 1111 1111 1112', { expecting: 'card' })).toBe('[CARD]');
    expect(r('it is 123', { pci: true })).toBe('it is [CVV]');
  });

  it('keeps the last four digits (allowed to be shown in contact centers)', () => {
    expect(r('the card ending in 1234')).toBe('the card ending in 1234');
    expect(r('last four digits are one two three four')).toBe('last four digits are one two three four');
  });
});

describe('redact: CVV and expiry', () => {
  it.each([
    ['security code is 123', 'security code is [CVV]'],
    ['the cvv is one two three', 'the cvv is [CVV]'],
    ['CVC: 4567', 'CVC: [CVV]'],
    ['the three digit code on the back is 987', 'the three digit code on the back is [CVV]'],
    ['my card is 4111 1111 1111 1111 exp 05/26 cvv 123', 'my card is [CARD] exp [EXPIRY] cvv [CVV]'],
    ['it expires oh five twenty six', 'it expires [EXPIRY]'],
    ['visa card, expiration date is march 2027', 'visa card, expiration date is [EXPIRY]'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('leaves other 3-digit numbers and expiry dates of other things alone', () => {
    expect(r('I called 3 times and waited 125 minutes')).toBe('I called 3 times and waited 125 minutes');
    expect(r('when does the promo code expire? it expires march 5')).toBe('when does the promo code expire? it expires march 5');
  });
});

describe('redact: SSN, PIN, password, DOB', () => {
  it.each([
    ['my ssn is 123-45-6789', 'my ssn is [SSN]'],
    ['123 45 6789', '[SSN]'],
    ['social security number one two three four five six seven eight nine', 'social security number [SSN]'],
    ['my social is 123456789', 'my social is [SSN]'],
    ['last four of my social are 6789', 'last four of my social are [SSN]'],
    ['my pin is 4321', 'my pin is [PIN]'],
    ['pin number is four three two one', 'pin number is [PIN]'],
    ['password is hunter2', 'password is [PASSWORD]'],
    ['my date of birth is march 14th 1985', 'my date of birth is [DOB]'],
    ['DOB: 03/14/1985', 'DOB: [DOB]'],
    ['born on the fourteenth of march nineteen eighty five', 'born on [DOB]'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('leaves sentences about passwords and other dates alone', () => {
    expect(r('my password is not working')).toBe('my password is not working');
    expect(r('I want to reset my password')).toBe('I want to reset my password');
    expect(r('I bought it on march 14th 2019')).toBe('I bought it on march 14th 2019');
    expect(r('I saw it on social media in 2024')).toBe('I saw it on social media in 2024');
  });
});

describe('redact: emails', () => {
  it.each([
    ['email me at john.smith@gmail.com please', 'email me at [EMAIL] please'],
    ['cminh730@email.com', '[EMAIL]'],
    ['my email is john dot smith at gmail dot com', 'my email is [EMAIL]'],
    ['my email is john smith at gmail dot com', 'my email is [EMAIL]'],
    ['c m i n h seven three zero at email dot com', '[EMAIL]'],
    ['it is j underscore doe at yahoo dot co dot uk thanks', 'it is [EMAIL] thanks'],
    ['reach me at jane dot doe at g mail dot com', 'reach me at [EMAIL]'],
    ['john (at) gmail (dot) com', '[EMAIL]'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('does not read "at" in ordinary sentences as an email', () => {
    expect(r("I'm at home right now")).toBe("I'm at home right now");
    expect(r('look at the website dot com page')).toBe('look at the website dot com page');
    expect(r('meet me at noon')).toBe('meet me at noon');
  });

  it('writes spoken emails out', () => {
    expect(findEmails('my email is john dot smith at gmail dot com').map((e) => e.address)).toEqual(['john.smith@gmail.com']);
    expect(findEmails('c m i n h seven three zero at email dot com').map((e) => e.address)).toEqual(['cminh730@email.com']);
  });
});

describe('redact: phone numbers', () => {
  it.each([
    ['call me at (977) 625-2661', 'call me at [PHONE]'],
    ['(977) 625-2661', '[PHONE]'],
    ['977-625-2661', '[PHONE]'],
    ['977.625.2661', '[PHONE]'],
    ['+1 977 625 2661', '[PHONE]'],
    ['1-800-555-0123', '[PHONE]'],
    ['call me on +44 20 7946 0958', 'call me on [PHONE]'],
    ['my phone number is nine seven seven six two five two six six one', 'my phone number is [PHONE]'],
    ['my cell is 9776252661', 'my cell is [PHONE]'],
    ['nine seven seven, six two five, two six six one', '[PHONE]'],
    ['you can reach me at 555 0123', 'you can reach me at [PHONE]'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('reads a bare number as a phone number when one was asked for', () => {
    expect(r('9776252661', { expecting: 'phone' })).toBe('[PHONE]');
    expect(r('nine seven seven six two five two six six one', { expecting: 'phone' })).toBe('[PHONE]');
  });
});

describe('redact: addresses and ZIP', () => {
  it.each([
    ['I live at 6821 1st ave  san mateo, ny 75227 ok', 'I live at [ADDRESS] ok'],
    ['ship it to 123 Main Street, Apt 4B', 'ship it to [ADDRESS]'],
    ['1600 Pennsylvania Avenue NW, Washington, DC 20500', '[ADDRESS]'],
    ['sixty eight twenty one first avenue', '[ADDRESS]'],
    ['8865 lexington ave', '[ADDRESS]'],
    ['send it to P.O. Box 1234', 'send it to [ADDRESS]'],
    ['my address is 42 Wallaby Way, Sydney', 'my address is [ADDRESS], Sydney'],
    ['There are 10 options. 1224 Beverwil Drive has a 4.3 rating.', 'There are 10 options. [ADDRESS] has a 4.3 rating.'],
    ['Located at 4445 Stevenson Boulevard. It has 2 rooms', 'Located at [ADDRESS]. It has 2 rooms'],
  ])('%s', (input, expected) => {
    expect(r(input)).toBe(expected);
  });

  it('leaves numbers before ordinary words alone', () => {
    for (const s of ['I waited 45 minutes and it is a 3 hours drive', 'I have 2 kids on the way', 'I paid 5 dollars at the store', 'it is a 10 minute drive', 'which way', '5 star place']) {
      expect(r(s), s).toBe(s);
    }
  });

  it('redacts a named ZIP code only when asked', () => {
    expect(r('my zip code is 75227')).toBe('my zip code is 75227');
    expect(r('my zip code is 75227', { zip: true })).toBe('my zip code is [ZIP]');
    expect(r('seven five two two seven', { expecting: 'zip' })).toBe('[ZIP]');
  });
});

describe('redact: what is kept', () => {
  it.each([
    'it costs $45.99 and I paid $1,200',
    'Order ID: 3348917502',
    'my order number is three three four eight nine one seven five oh two',
    '7916676427',
    'account id JJ8XG1BBZN',
    'Username: cminh730',
    'the order was placed on 2019-11-06 at 10:30',
    'I need it by 03/14/2024',
    'my flight is at 6:45 pm on the 3rd of March',
    'I am a gold member since 2015',
    'refund of forty five dollars and ninety nine cents',
    'I would like 2 tickets for 4 people',
    '',
    'no digits here at all',
    // found by scanning SGD and ABCD text
    'To operate the [Make Password] action, click the [Make Password] button',
    'I found a bus that leaves at 7 am. It costs $12',
    "That's all I need at this point in time",
    'There are 10 options. How about one of them?',
  ])('%s', (input) => {
    expect(redact(input)).toEqual({ text: input, findings: [] });
  });
});

describe('redact: results', () => {
  it('reports the type and offsets of each finding, never the value', () => {
    const text = 'card 4111 1111 1111 1111, email a.b@c.com, phone (977) 625-2661';
    const res = redact(text);
    expect(res.findings.map((f) => f.type)).toEqual(['CARD', 'EMAIL', 'PHONE']);
    expect(res.findings.map((f) => text.slice(f.start, f.end))).toEqual(['4111 1111 1111 1111', 'a.b@c.com', '(977) 625-2661']);
    expect(JSON.stringify(res.findings)).not.toContain('4111');
    expect(res.text).toBe('card [CARD], email [EMAIL], phone [PHONE]');
  });

  it('accepts any input type and custom placeholders', () => {
    expect(redact(undefined)).toEqual({ text: '', findings: [] });
    expect(redact(null).text).toBe('');
    expect(redact(4111111111111111).text).toBe('[CARD]');
    expect(redact('4111111111111111', { placeholder: (t) => `<${t.toLowerCase()}>` }).text).toBe('<card>');
    expect(types('4111111111111111 and a@b.com', { types: ['EMAIL'] })).toEqual(['EMAIL']);
  });
});

describe('system ids', () => {
  it('leaves UUIDs whole, even when a digit run inside passes the Luhn check', async () => {
    const { randomUUID } = await import('node:crypto');
    for (let i = 0; i < 20_000; i++) {
      const id = randomUUID();
      expect(redact(`cited article ${id} v2`).text).toBe(`cited article ${id} v2`);
    }
    expect(redact('article 6f1c2e9a-4111-1111-1111-111111111111 and card 4111 1111 1111 1111').text).toBe('article 6f1c2e9a-4111-1111-1111-111111111111 and card [CARD]');
  });
});
