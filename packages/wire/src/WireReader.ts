import { type WireFormatCode, type WireFormatError, wireFormatError } from './errors.ts';

/** `0x`-prefixed hex (an address, a hash, a signature), as viem types it. */
export type HexString = `0x${string}`;

const maxUint256 = 2n ** 256n - 1n;

/** Limits of a number field (inclusive). */
export type NumberLimits = { integer?: boolean; min?: number; max?: number };

/**
 * Reads one JSON object that came from another process, field by field: each read checks the
 * field's type and limits and returns it typed, or throws a `WireFormatError` naming the field's
 * path and what it must be. Fields nobody reads are left alone, so a newer sender may add some.
 *
 * ```ts
 * const body = WireReader.of(json, 'body', 'invalid_request');
 * const sdp = body.string('sdp'); // throws "body.sdp must be a string" when it is not
 * ```
 */
export class WireReader {
  /** Where this object sits in the message (`info.capacity`). */
  readonly path: string;
  readonly value: Readonly<Record<string, unknown>>;
  readonly code: WireFormatCode;

  private constructor(value: Record<string, unknown>, path: string, code: WireFormatCode) {
    this.value = value;
    this.path = path;
    this.code = code;
  }

  /** Reads `value` as an object; throws unless it is a (non-array) JSON object. */
  static of(value: unknown, path: string, code: WireFormatCode): WireReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw wireFormatError(code, path || 'the body', `must be an object, got ${describe(value)}`);
    }
    return new WireReader(value as Record<string, unknown>, path, code);
  }

  /** The path of one of this object's fields. */
  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** A `WireFormatError` about one of this object's fields. */
  fail(key: string, problem: string): WireFormatError {
    return wireFormatError(this.code, this.at(key), problem);
  }

  /** Whether the field is present (and not `undefined`). */
  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  string(key: string, { maxLength = 64 * 1024 }: { maxLength?: number } = {}): string {
    const value = this.value[key];
    if (typeof value !== 'string') throw this.fail(key, `must be a string, got ${describe(value)}`);
    if (value.length > maxLength) {
      throw this.fail(key, `must be at most ${maxLength} characters, got ${value.length}`);
    }
    return value;
  }

  /** One of a few strings. */
  literal<const T extends string>(key: string, values: readonly T[]): T {
    const value = this.value[key];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw this.fail(
        key,
        `must be one of ${values.map((v) => `"${v}"`).join(', ')}, got ${describe(value)}`,
      );
    }
    return value as T;
  }

  number(key: string, { integer = false, min, max }: NumberLimits = {}): number {
    const value = this.value[key];
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isSafeInteger(value)) &&
      (min === undefined || value >= min) &&
      (max === undefined || value <= max);
    if (!ok) {
      const range =
        min !== undefined && max !== undefined
          ? ` in ${min}..${max}`
          : min !== undefined
            ? ` >= ${min}`
            : max !== undefined
              ? ` <= ${max}`
              : '';
      throw this.fail(
        key,
        `must be ${integer ? 'an integer' : 'a number'}${range}, got ${describe(value)}`,
      );
    }
    return value;
  }

  boolean(key: string): boolean {
    const value = this.value[key];
    if (typeof value !== 'boolean')
      throw this.fail(key, `must be true or false, got ${describe(value)}`);
    return value;
  }

  /**
   * An integer as a decimal string (wei, nonces, blocks: JSON numbers cannot hold a uint256), no
   * leading zeros, at most 2²⁵⁶ − 1 in size; negative only when `signed` (a balance in debt).
   */
  decimal(key: string, { signed = false }: { signed?: boolean } = {}): string {
    const value = this.value[key];
    const pattern = signed ? /^(0|-?[1-9][0-9]{0,77})$/ : /^(0|[1-9][0-9]{0,77})$/;
    if (typeof value !== 'string' || !pattern.test(value)) {
      const kind = signed ? 'an integer' : 'an unsigned integer';
      throw this.fail(key, `must be a decimal string of ${kind}, got ${describe(value)}`);
    }
    const n = BigInt(value);
    if ((n < 0n ? -n : n) > maxUint256) throw this.fail(key, 'does not fit in 256 bits');
    return value;
  }

  /** `0x`-prefixed hex of whole bytes: exactly `bytes` of them, or at most 1 KiB. */
  hex(key: string, bytes?: number): HexString {
    const value = this.value[key];
    if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
      throw this.fail(key, 'must be 0x-prefixed hex of whole bytes');
    }
    const length = (value.length - 2) / 2;
    if (bytes !== undefined ? length !== bytes : length > 1024) {
      throw this.fail(
        key,
        bytes !== undefined
          ? `must be ${bytes} bytes, got ${length}`
          : `is ${length} bytes; at most 1024`,
      );
    }
    return value as HexString;
  }

  /** A 20-byte hex address (any letter case; the checksum is the chain code's to apply). */
  address(key: string): HexString {
    const value = this.value[key];
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
      throw this.fail(key, 'must be a 20-byte hex address');
    }
    return value as HexString;
  }

  /** A nested object. */
  object(key: string): WireReader {
    return WireReader.of(this.value[key], this.at(key), this.code);
  }

  /** An array, each item read by `read` with its path (`pipelines[3]`). */
  array<T>(
    key: string,
    read: (item: unknown, path: string) => T,
    { maxLength = 10_000 }: { maxLength?: number } = {},
  ): T[] {
    const value = this.value[key];
    if (!Array.isArray(value)) throw this.fail(key, `must be an array, got ${describe(value)}`);
    if (value.length > maxLength) {
      throw this.fail(key, `has ${value.length} items; at most ${maxLength}`);
    }
    return value.map((item, i) => read(item, `${this.at(key)}[${i}]`));
  }

  /** An array of objects, each read by `read`. */
  objects<T>(key: string, read: (item: WireReader) => T, limits?: { maxLength?: number }): T[] {
    return this.array(key, (item, path) => read(WireReader.of(item, path, this.code)), limits);
  }

  /** An object whose values are each read by `read` (a map: pipeline name → price). */
  record<T>(key: string, read: (entry: WireReader, name: string) => T): Record<string, T> {
    const entries = this.object(key);
    const result: Record<string, T> = {};
    for (const name of Object.keys(entries.value)) result[name] = read(entries, name);
    return result;
  }

  /** The field read by `read`, or `undefined` when it is absent. */
  optional<T>(key: string, read: (reader: this, key: string) => T): T | undefined {
    return this.has(key) ? read(this, key) : undefined;
  }

  /** The field read by `read`, or `null` when it is `null`. */
  nullable<T>(key: string, read: (reader: this, key: string) => T): T | null {
    return this.value[key] === null ? null : read(this, key);
  }
}

/** A short description of a value for an error message: its JSON, cut, or its type. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
