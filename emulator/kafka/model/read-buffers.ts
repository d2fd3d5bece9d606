/**
 * The buffers one Fetch response reads its batches into from tmpfs segments: 1 MB slabs from a shared pool, filled
 * one after another and given back once the response has been handed to the kernel. Reused slabs are memory the
 * process has touched before, so a read costs a copy and no page faults.
 */
import type { Segment } from "./tmpfs-segments.js";

const SLAB_BYTES = 1024 * 1024;
/** Free slabs kept for reuse; more go to the garbage collector. */
const MAX_POOLED = 64;
const pool: Buffer[] = [];

export class ReadBuffers {
  private readonly slabs: Buffer[] = [];
  private slab: Buffer | undefined;
  private used = 0;

  /** The `length` bytes at `position` of `segment`, in this response's buffers. */
  load(segment: Segment, position: number, length: number): Buffer {
    if (length > SLAB_BYTES) {
      // Larger than any batch Event Hubs accepts; only a restored oversize batch could get here.
      const own = Buffer.allocUnsafe(length);
      segment.read(position, length, own, 0);
      return own;
    }
    if (!this.slab || this.used + length > this.slab.length) {
      this.slab = pool.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
      this.slabs.push(this.slab);
      this.used = 0;
    }
    const at = this.used;
    segment.read(position, length, this.slab, at);
    this.used += length;
    return this.slab.subarray(at, at + length);
  }

  /** Gives the slabs back; nothing read into them may be used after this. */
  release(): void {
    for (const s of this.slabs) if (pool.length < MAX_POOLED) pool.push(s);
    this.slabs.length = 0;
    this.slab = undefined;
  }
}
