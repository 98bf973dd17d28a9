import { describe, expect, it } from 'vitest';
import { InvalidPaymentError, WireFormatError } from './errors.ts';
import { WireReader } from './WireReader.ts';

const reader = (value: Record<string, unknown>) => WireReader.of(value, 'msg', 'invalid_response');

describe('WireReader', () => {
  it('returns each field typed when it has its type and limits', () => {
    const msg = reader({
      s: 'x',
      n: 3,
      b: false,
      d: '123',
      neg: '-5',
      h: '0xAbCd',
      a: `0x${'1'.repeat(40)}`,
      l: 'ready',
      o: { x: 1 },
      arr: [{ y: 'a' }, { y: 'b' }],
      rec: { p: '1', q: '2' },
      nil: null,
    });
    expect(msg.string('s')).toBe('x');
    expect(msg.number('n', { integer: true, min: 0, max: 3 })).toBe(3);
    expect(msg.boolean('b')).toBe(false);
    expect(msg.decimal('d')).toBe('123');
    expect(msg.decimal('neg', { signed: true })).toBe('-5');
    expect(msg.hex('h', 2)).toBe('0xAbCd');
    expect(msg.address('a')).toBe(`0x${'1'.repeat(40)}`);
    expect(msg.literal('l', ['ready', 'warming'])).toBe('ready');
    expect(msg.object('o').number('x')).toBe(1);
    expect(msg.objects('arr', (item) => item.string('y'))).toEqual(['a', 'b']);
    expect(msg.record('rec', (prices, name) => prices.decimal(name))).toEqual({ p: '1', q: '2' });
    expect(msg.optional('missing', (r, key) => r.string(key))).toBeUndefined();
    expect(msg.nullable('nil', (r, key) => r.string(key))).toBeNull();
  });

  it.each([
    [
      'not an object',
      () => WireReader.of([], 'info', 'invalid_response'),
      'info',
      'info must be an object, got an array',
    ],
    [
      'the body itself',
      () => WireReader.of('x', '', 'invalid_request'),
      'the body',
      'the body must be an object, got "x"',
    ],
    [
      'a missing string',
      () => reader({}).string('name'),
      'msg.name',
      'msg.name must be a string, got nothing',
    ],
    [
      'a long string',
      () => reader({ s: 'abc' }).string('s', { maxLength: 2 }),
      'msg.s',
      'msg.s must be at most 2 characters, got 3',
    ],
    [
      'a number out of range',
      () => reader({ n: 5 }).number('n', { min: 0, max: 4 }),
      'msg.n',
      'msg.n must be a number in 0..4, got 5',
    ],
    [
      'a fraction for an integer',
      () => reader({ n: 1.5 }).number('n', { integer: true }),
      'msg.n',
      'msg.n must be an integer, got 1.5',
    ],
    [
      'NaN',
      () => reader({ n: Number.NaN }).number('n'),
      'msg.n',
      'msg.n must be a number, got null',
    ],
    [
      'a string for a boolean',
      () => reader({ b: 'true' }).boolean('b'),
      'msg.b',
      'msg.b must be true or false, got "true"',
    ],
    [
      'a number for wei',
      () => reader({ w: 5 }).decimal('w'),
      'msg.w',
      'msg.w must be a decimal string of an unsigned integer, got 5',
    ],
    [
      'a negative unsigned',
      () => reader({ w: '-1' }).decimal('w'),
      'msg.w',
      'msg.w must be a decimal string of an unsigned integer, got "-1"',
    ],
    [
      'leading zeros',
      () => reader({ w: '01' }).decimal('w'),
      'msg.w',
      'msg.w must be a decimal string of an unsigned integer, got "01"',
    ],
    [
      'beyond uint256',
      () => reader({ w: (2n ** 256n).toString() }).decimal('w'),
      'msg.w',
      'msg.w does not fit in 256 bits',
    ],
    [
      'odd hex',
      () => reader({ h: '0xabc' }).hex('h'),
      'msg.h',
      'msg.h must be 0x-prefixed hex of whole bytes',
    ],
    [
      'short hex',
      () => reader({ h: '0xab' }).hex('h', 32),
      'msg.h',
      'msg.h must be 32 bytes, got 1',
    ],
    [
      'a short address',
      () => reader({ a: '0x1234' }).address('a'),
      'msg.a',
      'msg.a must be a 20-byte hex address',
    ],
    [
      'an unknown literal',
      () => reader({ l: 'done' }).literal('l', ['ready', 'warming']),
      'msg.l',
      'msg.l must be one of "ready", "warming", got "done"',
    ],
    [
      'a nested field',
      () =>
        reader({ o: { x: 'y' } })
          .object('o')
          .number('x'),
      'msg.o.x',
      'msg.o.x must be a number, got "y"',
    ],
    [
      'an array item',
      () => reader({ arr: [{ y: 'a' }, { y: 2 }] }).objects('arr', (i) => i.string('y')),
      'msg.arr[1].y',
      'msg.arr[1].y must be a string, got 2',
    ],
    [
      'a long array',
      () => reader({ arr: [1, 2, 3] }).array('arr', (v) => v, { maxLength: 2 }),
      'msg.arr',
      'msg.arr has 3 items; at most 2',
    ],
    [
      'a map value',
      () => reader({ rec: { p: 'x' } }).record('rec', (r, k) => r.decimal(k)),
      'msg.rec.p',
      'msg.rec.p must be a decimal string of an unsigned integer, got "x"',
    ],
  ])('refuses %s, naming the field', (_case, read, field, message) => {
    expect(read).toThrow(expect.objectContaining({ field, shortMessage: message }));
    expect(read).toThrow(WireFormatError);
  });

  it('makes payments’ refusals InvalidPaymentErrors, with their prefix', () => {
    const read = () => WireReader.of({ sender: 1 }, 'payment', 'invalid_payment').address('sender');
    expect(read).toThrow(InvalidPaymentError);
    expect(read).toThrow(
      expect.objectContaining({
        code: 'invalid_payment',
        field: 'payment.sender',
        shortMessage: 'Invalid payment: payment.sender must be a 20-byte hex address',
      }),
    );
  });
});
