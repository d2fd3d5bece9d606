/**
 * Reads the Kafka wire primitives (big-endian integers, INT16-length strings, INT32-length bytes, INT32-count
 * arrays) from one request body. Reading past the end throws MalformedRequestError, which closes the connection,
 * as a Kafka broker does with a request it cannot parse.
 */
export class MalformedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedRequestError";
  }
}

/** Arrays above this count are refused before any allocation (a garbage count must not exhaust memory). */
const MAX_ARRAY_COUNT = 100_000;

export class Reader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new MalformedRequestError(`truncated request: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
  }

  int8(): number {
    this.need(1, "INT8");
    return this.buf.readInt8(this.pos++);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, "INT16");
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, "INT32");
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** INT64 as a number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    this.need(8, "INT64");
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len, "STRING");
    const s = this.buf.toString("utf8", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new MalformedRequestError(`null where a STRING is required at offset ${this.pos - 2}`);
    return s;
  }

  /** BYTES as a view into the request (copy before keeping it beyond the request). */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len, "BYTES");
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    if (count > MAX_ARRAY_COUNT || count > this.remaining) {
      throw new MalformedRequestError(`array count ${count} cannot fit in the ${this.remaining} bytes left`);
    }
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(item(this));
    return out;
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }
}
