/**
 * Reads the Kafka wire primitives (big-endian integers, INT16-length strings, INT32-length bytes, INT32-count
 * arrays) from one request body, held in one buffer or in the socket chunks it arrived in. Reading past the end throws MalformedRequestError, which closes the connection,
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

/**
 * Reads over one buffer or over the socket chunks a request arrived in, so a large request is parsed without first
 * being copied into one contiguous buffer. Reads inside a chunk are views or direct reads; the rare field that
 * straddles two chunks is copied out.
 */
export class Reader {
  private readonly segments: readonly Buffer[];
  private index = 0;
  private buf: Buffer;
  private pos = 0;
  private left: number;
  private readonly total: number;

  constructor(input: Buffer | readonly Buffer[]) {
    this.segments = Buffer.isBuffer(input) ? [input] : input;
    this.buf = this.segments[0] ?? Buffer.alloc(0);
    let total = 0;
    for (const s of this.segments) total += s.length;
    this.total = total;
    this.left = total;
  }

  get offset(): number {
    return this.total - this.left;
  }

  get remaining(): number {
    return this.left;
  }

  private need(n: number, what: string): void {
    if (n > this.left) {
      throw new MalformedRequestError(`truncated request: ${what} needs ${n} bytes at offset ${this.offset}, ${this.left} left`);
    }
  }

  /** Moves past exhausted chunks; true when the next n bytes now sit in the current one. */
  private fits(n: number): boolean {
    while (this.pos === this.buf.length && this.index < this.segments.length - 1) {
      this.buf = this.segments[++this.index];
      this.pos = 0;
    }
    return this.pos + n <= this.buf.length;
  }

  /** The next n bytes as views, one per chunk they span, never copied. */
  views(n: number): Buffer[] {
    this.need(n, "BYTES");
    const views: Buffer[] = [];
    let wanted = n;
    while (wanted > 0) {
      this.fits(wanted);
      const use = Math.min(wanted, this.buf.length - this.pos);
      views.push(this.buf.subarray(this.pos, this.pos + use));
      this.pos += use;
      wanted -= use;
    }
    this.left -= n;
    return views;
  }

  /** The next n bytes as one buffer: a view when they sit in one chunk, else a copy. */
  private slice(n: number): Buffer {
    if (this.fits(n)) {
      const b = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.left -= n;
      return b;
    }
    return Buffer.concat(this.views(n), n);
  }

  int8(): number {
    this.need(1, "INT8");
    if (!this.fits(1)) return this.slice(1).readInt8(0);
    return this.advance(1, this.buf.readInt8(this.pos));
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, "INT16");
    if (!this.fits(2)) return this.slice(2).readInt16BE(0);
    return this.advance(2, this.buf.readInt16BE(this.pos));
  }

  int32(): number {
    this.need(4, "INT32");
    if (!this.fits(4)) return this.slice(4).readInt32BE(0);
    return this.advance(4, this.buf.readInt32BE(this.pos));
  }

  /** INT64 as a number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    this.need(8, "INT64");
    if (!this.fits(8)) return Number(this.slice(8).readBigInt64BE(0));
    return this.advance(8, Number(this.buf.readBigInt64BE(this.pos)));
  }

  /** Moves past n bytes read in place from the current chunk; returns what was read. */
  private advance(n: number, value: number): number {
    this.pos += n;
    this.left -= n;
    return value;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len, "STRING");
    return this.slice(len).toString("utf8");
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new MalformedRequestError(`null where a STRING is required at offset ${this.offset - 2}`);
    return s;
  }

  /** BYTES as a view into the request when it sits in one chunk (copy before keeping it beyond the request). */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len, "BYTES");
    return this.slice(len);
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** BYTES as views into the chunks it arrived in, never copied (a produce request's record batches). */
  nullableBytesViews(): Buffer[] | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len, "BYTES");
    return this.views(len);
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
