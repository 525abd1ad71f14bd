import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../logger.ts';
import { redactDeep } from './deep.ts';
import { redactChildBindings } from './log.ts';

const PII = ['4111', '9776252661', '625-2661', 'john.smith', 'gmail', '123-45-6789', 'Lexington', '6821'];

function expectNoPii(s: string): void {
  for (const p of PII) expect(s, `${p} leaked in ${s}`).not.toContain(p);
}

describe('redactDeep', () => {
  it('redacts string leaves in nested objects and arrays', () => {
    const input = {
      turn: { text: 'my card is 4111 1111 1111 1111', speaker: 'customer' },
      turns: ['call me at (977) 625-2661', 'ok', { nested: ['email john.smith@gmail.com'] }],
      amount: 45.99,
      orderId: '3348917502',
      ok: true,
      none: null,
    };
    const out = redactDeep(input);
    expect(out).toEqual({
      turn: { text: 'my card is [CARD]', speaker: 'customer' },
      turns: ['call me at [PHONE]', 'ok', { nested: ['email [EMAIL]'] }],
      amount: 45.99,
      orderId: '3348917502',
      ok: true,
      none: null,
    });
    // The input is not modified.
    expect(input.turn.text).toContain('4111');
  });

  it('replaces sensitive keys wholesale, whatever their spelling or value', () => {
    const out = redactDeep({
      callerId: '+19776252661',
      caller_id: 'anonymous',
      phone: 12345,
      Email: 'not-an-email-looking-value',
      cardNumber: 4111111111111111,
      'card-number': 'x',
      cvv: '123',
      ssn: 'whatever',
      dateOfBirth: '1985-03-14',
      password: 'hunter2',
      nested: { street_address: 'somewhere', phoneNumber: undefined },
    });
    expect(out).toEqual({
      callerId: '[PHONE]',
      caller_id: '[PHONE]',
      phone: '[PHONE]',
      Email: '[EMAIL]',
      cardNumber: '[CARD]',
      'card-number': '[CARD]',
      cvv: '[CVV]',
      ssn: '[SSN]',
      dateOfBirth: '[DOB]',
      password: '[PASSWORD]',
      nested: { street_address: '[ADDRESS]', phoneNumber: undefined },
    });
    expect(redactDeep({ accountRef: 'abc' }, { sensitiveKeys: ['account_ref'] })).toEqual({ accountRef: '[REDACTED]' });
  });

  it('redacts numbers that are card numbers, keys that hold PII, errors, maps and cycles', () => {
    expect(redactDeep({ n: 4111111111111111, m: 3348917502, small: 42 })).toEqual({ n: '[CARD]', m: 3348917502, small: 42 });
    // Epoch milliseconds are not card numbers, even when they pass the Luhn check.
    const ts = [1710412200000, 1710412200001, 1710412200002, 1710412200003, 1710412200004, 1710412200005, 1710412200006, 1710412200007, 1710412200008, 1710412200009];
    expect(redactDeep({ ts, s: ts.map(String) })).toEqual({ ts, s: ts.map(String) });
    expect(redactDeep({ 'john.smith@gmail.com': 1 })).toEqual({ '[EMAIL]': 1 });
    const err = new Error('charge failed for 4111 1111 1111 1111');
    const e = redactDeep({ err }).err as unknown as Record<string, unknown>;
    expect(e.type).toBe('Error');
    expect(e.message).toBe('charge failed for [CARD]');
    expect(String(e.stack)).not.toContain('4111');
    const map = redactDeep(new Map([['email', 'a@b.com'], ['note', 'call 977-625-2661']]));
    expect([...map]).toEqual([['email', '[EMAIL]'], ['note', 'call [PHONE]']]);
    const cyclic: Record<string, unknown> = { text: 'a@b.com' };
    cyclic.self = cyclic;
    expect(redactDeep(cyclic)).toEqual({ text: '[EMAIL]', self: '[Circular]' });
    const when = new Date(0);
    expect(redactDeep({ when }).when).toBe(when);
    const buf = Buffer.from('4111111111111111');
    expect(redactDeep({ buf }).buf).toBe(buf);
  });

  it('never throws, and fails closed on values it cannot read', () => {
    const hostile = {
      get boom(): string {
        throw new Error('getter');
      },
      ok: 'fine',
    };
    expect(redactDeep(hostile)).toEqual({ boom: '[REDACTED]', ok: 'fine' });
    let deep: Record<string, unknown> = { text: '4111111111111111' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(redactDeep(deep))).not.toContain('4111');
    for (const v of [undefined, null, 0, -0, NaN, Infinity, true, Symbol('s'), () => 1, 10n ** 20n, Object.create(null)]) {
      expect(() => redactDeep(v)).not.toThrow();
    }
  });
});

describe('createLogger options', () => {
  function capture(): { logger: Logger; lines: () => string[] } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    const logger = redactChildBindings(pino(loggerOptions({ level: 'debug', name: 'test' }), stream));
    return { logger, lines: () => chunks.join('').split('\n').filter(Boolean) };
  }

  it('writes no PII from messages, interpolation arguments, fields, errors and child bindings', () => {
    const { logger, lines } = capture();
    logger.info('caller said my card is 4111 1111 1111 1111');
    logger.info('callback number %s, email %s', '(977) 625-2661', 'john.smith@gmail.com');
    logger.info({ transcript: 'I live at 6821 Lexington Ave', ssn: '123-45-6789', callerId: '9776252661' }, 'turn stored');
    logger.warn({ payload: { turns: [{ text: 'my social is 123-45-6789' }] } });
    logger.error(new Error('payment for 4111111111111111 declined'));
    logger.error({ err: new Error('no account for john.smith@gmail.com') });
    logger.child({ caller: '+1 977 625 2661' }).child({ email: 'a@b.com' }).info('child logger');
    const out = lines();
    expect(out).toHaveLength(7);
    for (const line of out) expectNoPii(line);
    const parsed = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]!.msg).toBe('caller said my card is [CARD]');
    expect(parsed[1]!.msg).toBe('callback number [PHONE], email [EMAIL]');
    expect(parsed[2]).toMatchObject({ transcript: 'I live at [ADDRESS]', ssn: '[SSN]', msg: 'turn stored', svc: 'test' });
    expect(parsed[2]!.callerId).toMatch(/^\[(PHONE|redacted)\]$/);
    expect(parsed[4]!.msg).toBe('payment for [CARD] declined');
    expect((parsed[4]!.err as Record<string, unknown>).message).toBe('payment for [CARD] declined');
    expect(parsed[5]!.msg).toBe('no account for [EMAIL]');
    expect(parsed[6]!.caller).toBe('[PHONE]');
    expect(parsed[6]!.email).toBe('[EMAIL]');
  });

  it('keeps ordinary log lines as they were', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: '3348917502', amount: 45.99, port: 8080, address: '127.0.0.1' }, 'order %s refunded', '3348917502');
    const line = JSON.parse(lines()[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ orderId: '3348917502', amount: 45.99, port: 8080, address: '127.0.0.1', msg: 'order 3348917502 refunded', level: 30 });
  });
});

describe('createLogger', () => {
  it('writes no PII to stdout', () => {
    const code = `
      const { createLogger } = await import(${JSON.stringify(new URL('../logger.ts', import.meta.url).href)});
      const log = createLogger({ name: 'sub' });
      log.info({ text: 'card 4111 1111 1111 1111' }, 'email %s', 'john.smith@gmail.com');
      log.child({ phone: '977-625-2661' }).warn('call (977) 625-2661 back');
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'info' } });
    expect(res.stderr).toBe('');
    const lines = res.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) expectNoPii(line);
    expect(JSON.parse(lines[0]!)).toMatchObject({ svc: 'sub', text: 'card [CARD]', msg: 'email [EMAIL]' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ phone: '[PHONE]', msg: 'call [PHONE] back' });
  });
});
