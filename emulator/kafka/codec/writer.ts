/**
 * Builds a response body. Small fields go into a growing scratch buffer; large record sets are appended by
 * reference (no copy), so a Fetch response of many stored batches is written to the socket as a list of buffers.
 */
export class Writer {
  private scratch = Buffer.allocUnsafe(256);
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private flushedBytes = 0;

  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.pos + n));
    this.scratch.copy(next, 0, 0, this.pos);
    this.scratch = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.scratch.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  nullableString(s: string | null | undefined): this {
    if (s === null || s === undefined) return this.int16(-1);
    const len = Buffer.byteLength(s, "utf8");
    this.int16(len);
    this.ensure(len);
    this.scratch.write(s, this.pos, len, "utf8");
    this.pos += len;
    return this;
  }

  string(s: string): this {
    return this.nullableString(s);
  }

  nullableBytes(b: Buffer | null | undefined): this {
    if (b === null || b === undefined) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  bytes(b: Buffer): this {
    return this.nullableBytes(b);
  }

  /** BYTES made of several buffers (a record set of stored batches), written without copying them. */
  bytesFromChunks(chunks: readonly Buffer[]): this {
    let total = 0;
    for (const c of chunks) total += c.length;
    this.int32(total);
    for (const c of chunks) this.raw(c);
    return this;
  }

  array<T>(items: readonly T[], write: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, write);
  }

  /** Appends bytes: small ones are copied into the scratch buffer, large ones kept by reference. */
  raw(b: Buffer): this {
    if (b.length <= 512) {
      this.ensure(b.length);
      b.copy(this.scratch, this.pos);
      this.pos += b.length;
      return this;
    }
    this.flushScratch();
    this.chunks.push(b);
    this.flushedBytes += b.length;
    return this;
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    this.chunks.push(Buffer.from(this.scratch.subarray(0, this.pos)));
    this.flushedBytes += this.pos;
    this.pos = 0;
  }

  /** The body as a list of buffers, ready for a vectored socket write. */
  toChunks(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }
}
