import type { Rng } from './Rng.ts';

/** A hex string with one mutation: bit flip, truncation, extension, case change, bad digits. */
export function mutateHex(rng: Rng, hex: string): { value: string; mutation: string } {
  const digits = hex.slice(2);
  const kind = rng.pick([
    'flipDigit',
    'flipDigit',
    'flipDigit',
    'truncate',
    'extend',
    'oddLength',
    'upperCase',
    'badDigit',
    'noPrefix',
    'empty',
    'zeros',
  ] as const);
  switch (kind) {
    case 'flipDigit': {
      if (digits.length === 0) return { value: '0x00', mutation: 'hex:flipDigit' };
      const at = rng.int(digits.length);
      const digit = Number.parseInt(digits[at] ?? '0', 16) ^ (1 << rng.int(4));
      return {
        value: `0x${digits.slice(0, at)}${digit.toString(16)}${digits.slice(at + 1)}`,
        mutation: 'hex:flipDigit',
      };
    }
    case 'truncate':
      return {
        value: `0x${digits.slice(0, 2 * rng.int(digits.length / 2))}`,
        mutation: 'hex:truncate',
      };
    case 'extend':
      return {
        value: `0x${digits}${rng.string(2 * rng.range(1, 40), '0123456789abcdef')}`,
        mutation: 'hex:extend',
      };
    case 'oddLength':
      return {
        value: `0x${digits}${rng.string(1, '0123456789abcdef')}`,
        mutation: 'hex:oddLength',
      };
    case 'upperCase':
      return { value: `0x${digits.toUpperCase()}`, mutation: 'hex:upperCase' };
    case 'badDigit': {
      const at = rng.int(digits.length + 1);
      return {
        value: `0x${digits.slice(0, at)}${rng.pick(['g', 'z', ' ', '-', 'é', '\0'])}${digits.slice(at + 1)}`,
        mutation: 'hex:badDigit',
      };
    }
    case 'noPrefix':
      return { value: digits, mutation: 'hex:noPrefix' };
    case 'empty':
      return { value: '0x', mutation: 'hex:empty' };
    case 'zeros':
      return { value: `0x${'0'.repeat(digits.length)}`, mutation: 'hex:zeros' };
  }
}

const uint256Max = 2n ** 256n - 1n;

/** A bigint moved a little, to an edge, or out of the uint256 range. */
export function mutateBigint(rng: Rng, value: bigint): { value: bigint; mutation: string } {
  const kind = rng.pick([
    'plusOne',
    'minusOne',
    'zero',
    'max',
    'overflow',
    'negative',
    'double',
    'bit',
  ] as const);
  switch (kind) {
    case 'plusOne':
      return { value: value + 1n, mutation: 'uint:plusOne' };
    case 'minusOne':
      return { value: value - 1n, mutation: 'uint:minusOne' };
    case 'zero':
      return { value: 0n, mutation: 'uint:zero' };
    case 'max':
      return { value: uint256Max, mutation: 'uint:max' };
    case 'overflow':
      return { value: uint256Max + 1n + BigInt(rng.int(1000)), mutation: 'uint:overflow' };
    case 'negative':
      return { value: -1n - BigInt(rng.int(1000)), mutation: 'uint:negative' };
    case 'double':
      return { value: value * 2n, mutation: 'uint:double' };
    case 'bit':
      return { value: value ^ (1n << BigInt(rng.int(256))), mutation: 'uint:bit' };
  }
}

/** A value of the wrong type for any field. */
export function wrongType(rng: Rng): { value: unknown; mutation: string } {
  const choices: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['number', rng.int(1_000_000)],
    ['float', rng.next() * 1e30],
    ['nan', Number.NaN],
    ['string', 'hello'],
    ['decimalString', String(rng.int(1_000_000))],
    ['boolean', rng.chance(0.5)],
    ['object', { a: 1 }],
    ['array', [1, 2, 3]],
    ['bigint', BigInt(rng.int(1_000_000))],
  ];
  const [name, value] = rng.pick(choices);
  return { value, mutation: `type:${name}` };
}

/** A random JSON value, nested up to `depth`. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(depth > 0 ? 8 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.weighted([
        [3, rng.int(100)],
        [1, -rng.int(1000)],
        [1, rng.next()],
        [1, 1e308],
        [1, -1e-308],
        [1, 2 ** 53 + 1],
      ]);
    case 3:
      return rng.string(rng.int(12), 'abcdefghijklmnopqrstuvwxyz0123456789 _-"\\/\u00e9\u2028');
    case 4:
      return rng.pick(['', 'passthrough', 'invert', '0x', '__proto__', 'constructor', '1e400']);
    case 5:
      return 'x'.repeat(rng.pick([0, 1, 100, 5000]));
    case 6:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) {
        out[
          rng.pick(['a', 'b', 'key', '__proto__', 'constructor', 'toString', rng.string(4, 'xyz')])
        ] = randomJson(rng, depth - 1);
      }
      return out;
    }
  }
}

/** JSON nested `depth` levels deep (arrays or objects): stack-depth tests. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
