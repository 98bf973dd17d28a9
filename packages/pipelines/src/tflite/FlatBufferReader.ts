import { TfliteParseError } from './errors.ts';

/**
 * Reads a FlatBuffer directly from its bytes (no schema compiler, no dependency): a table starts
 * with a signed offset to its vtable; the vtable lists, per field, where the field sits in the
 * table (0: absent, take the default). Offsets to tables, vectors and strings are unsigned and
 * relative to where they are stored. Every read is bounds-checked, so a truncated or corrupt file
 * throws `TfliteParseError` instead of reading garbage.
 */
export class FlatBufferReader {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The root table: its position is the `uoffset` at byte 0. */
  root(): FlatBufferTable {
    return this.table(this.#uoffsetTarget(0));
  }

  /** The 4-byte file identifier after the root offset (`'TFL3'` for TFLite models). */
  fileIdentifier(): string {
    this.#check(4, 4);
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  table(position: number): FlatBufferTable {
    this.#check(position, 4);
    const vtable = position - this.#view.getInt32(position, true);
    this.#check(vtable, 4);
    const vtableBytes = this.#view.getUint16(vtable, true);
    this.#check(vtable, vtableBytes);
    return new FlatBufferTable(this, position, vtable, vtableBytes);
  }

  uint8(position: number): number {
    this.#check(position, 1);
    return this.#view.getUint8(position);
  }

  int8(position: number): number {
    this.#check(position, 1);
    return this.#view.getInt8(position);
  }

  uint16(position: number): number {
    this.#check(position, 2);
    return this.#view.getUint16(position, true);
  }

  int32(position: number): number {
    this.#check(position, 4);
    return this.#view.getInt32(position, true);
  }

  uint32(position: number): number {
    this.#check(position, 4);
    return this.#view.getUint32(position, true);
  }

  float32(position: number): number {
    this.#check(position, 4);
    return this.#view.getFloat32(position, true);
  }

  uint64(position: number): bigint {
    this.#check(position, 8);
    return this.#view.getBigUint64(position, true);
  }

  /** Where the `uoffset` stored at `position` points. */
  #uoffsetTarget(position: number): number {
    return position + this.uint32(position);
  }

  /** A vector's element count and the position of its first element. */
  vector(offsetPosition: number): { length: number; start: number } {
    const at = this.#uoffsetTarget(offsetPosition);
    const length = this.uint32(at);
    return { length, start: at + 4 };
  }

  /** A vector of `elementBytes`-byte scalars, bounds-checked, as a view of the buffer. */
  scalarVector(offsetPosition: number, elementBytes: number): Uint8Array {
    const { length, start } = this.vector(offsetPosition);
    this.#check(start, length * elementBytes);
    return this.bytes.subarray(start, start + length * elementBytes);
  }

  string(offsetPosition: number): string {
    return new TextDecoder().decode(this.scalarVector(offsetPosition, 1));
  }

  /** The table whose `uoffset` is stored at `position` (an element of a vector of tables). */
  tableAt(position: number): FlatBufferTable {
    return this.table(this.#uoffsetTarget(position));
  }

  #check(position: number, length: number): void {
    if (
      !Number.isInteger(position) ||
      position < 0 ||
      length < 0 ||
      position + length > this.bytes.byteLength
    ) {
      throw new TfliteParseError('Corrupt FlatBuffer: read out of bounds', {
        details: `${length} bytes at ${position}; the file has ${this.bytes.byteLength}`,
      });
    }
  }
}

/** One table of a FlatBuffer; fields are addressed by their index in the schema (0, 1, 2, …). */
export class FlatBufferTable {
  readonly reader: FlatBufferReader;
  readonly position: number;
  readonly #vtable: number;
  readonly #vtableBytes: number;

  constructor(reader: FlatBufferReader, position: number, vtable: number, vtableBytes: number) {
    this.reader = reader;
    this.position = position;
    this.#vtable = vtable;
    this.#vtableBytes = vtableBytes;
  }

  /** Absolute position of field `index`, or undefined when absent (default value). */
  field(index: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.#vtableBytes) return undefined;
    const offset = this.reader.uint16(this.#vtable + slot);
    return offset === 0 ? undefined : this.position + offset;
  }

  has(index: number): boolean {
    return this.field(index) !== undefined;
  }

  int8(index: number, fallback: number): number {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.int8(at);
  }

  uint8(index: number, fallback: number): number {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.uint8(at);
  }

  bool(index: number, fallback: boolean): boolean {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.uint8(at) !== 0;
  }

  int32(index: number, fallback: number): number {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.int32(at);
  }

  uint32(index: number, fallback: number): number {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.uint32(at);
  }

  float32(index: number, fallback: number): number {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.float32(at);
  }

  uint64(index: number, fallback: bigint): bigint {
    const at = this.field(index);
    return at === undefined ? fallback : this.reader.uint64(at);
  }

  string(index: number): string | undefined {
    const at = this.field(index);
    return at === undefined ? undefined : this.reader.string(at);
  }

  /** A `[int]` field, copied out (aligned, little-endian). Absent: an empty array. */
  int32s(index: number): number[] {
    const at = this.field(index);
    if (at === undefined) return [];
    const bytes = this.reader.scalarVector(at, 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
  }

  /** A `[float]` field, copied out. Absent: an empty array. */
  float32s(index: number): number[] {
    const at = this.field(index);
    if (at === undefined) return [];
    const bytes = this.reader.scalarVector(at, 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }

  /** A `[long]` field, copied out as numbers. Absent: an empty array. */
  int64s(index: number): number[] {
    const at = this.field(index);
    if (at === undefined) return [];
    const bytes = this.reader.scalarVector(at, 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 8 }, (_, i) =>
      Number(view.getBigInt64(i * 8, true)),
    );
  }

  /** A `[ubyte]` field as a view of the file. Absent: undefined. */
  bytes(index: number): Uint8Array | undefined {
    const at = this.field(index);
    return at === undefined ? undefined : this.reader.scalarVector(at, 1);
  }

  /** A sub-table field. Absent: undefined. */
  table(index: number): FlatBufferTable | undefined {
    const at = this.field(index);
    return at === undefined ? undefined : this.reader.tableAt(at);
  }

  /** A `[Table]` field. Absent: an empty array. */
  tables(index: number): FlatBufferTable[] {
    const at = this.field(index);
    if (at === undefined) return [];
    const { length, start } = this.reader.vector(at);
    return Array.from({ length }, (_, i) => this.reader.tableAt(start + 4 * i));
  }
}
