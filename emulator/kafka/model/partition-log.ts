/**
 * One partition of an event hub: the record batches as the producers sent them, each with the base offset the
 * broker assigned. Their bytes live in tmpfs segment files (memory mode on Linux, see tmpfs-segments.ts) or else in
 * the socket chunks they arrived in (a Fetch then writes those same buffers out). Offsets are dense from 0; the high watermark is the next offset to assign; the log start offset
 * moves only when retention deletes whole batches. Readers waiting in a long-poll Fetch are woken on append.
 */
import { type BatchInfo, recordTimestamps, setBaseOffset } from "../record-batch.js";
import { PartitionProducers } from "./producer-state.js";
import type { ReadBuffers } from "./read-buffers.js";
import type { Segment, SegmentPlace, TmpfsSegments } from "./tmpfs-segments.js";

export interface StoredBatch {
  baseOffset: number;
  /** Offset after the last record of the batch. */
  nextOffset: number;
  maxTimestamp: number;
  /** When the broker appended it, on the emulator clock (retention counts from here, as Event Hubs' enqueued time). */
  appendTime: number;
  /** The batch's bytes when kept in the heap, in order: views of the chunks it arrived in, or one buffer. */
  parts?: Buffer[];
  /** Where the batch's bytes are when kept in a tmpfs segment. */
  place?: SegmentPlace;
  length: number;
}

/** Where a durable log keeps its batches; absent in memory mode. */
export interface PartitionPersistence {
  append(batch: StoredBatch): void;
  setLogStart(offset: number): void;
}

export interface ReadResult {
  chunks: Buffer[];
  bytes: number;
}

export class PartitionLog {
  private batches: StoredBatch[] = [];
  /** Index of the first live batch (expired ones are dropped by compact()). */
  private head = 0;
  private start = 0;
  private end = 0;
  private readonly listeners = new Set<() => void>();
  persistence: PartitionPersistence | undefined;
  /** Idempotent producers' epochs and sequences on this partition. */
  readonly producers = new PartitionProducers();

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Absent: batches stay in the heap (durable mode, which has its own files, or no tmpfs). */
    private readonly segments?: TmpfsSegments,
  ) {}

  /** Bytes kept in tmpfs segments, outside the process's resident memory. */
  get segmentBytes(): number {
    return this.segments?.bytes ?? 0;
  }

  get logStartOffset(): number {
    return this.start;
  }

  get highWatermark(): number {
    return this.end;
  }

  /** Appends validated batches (kept in the request's chunks, see keptParts) and returns the first assigned offset. */
  append(batches: readonly BatchInfo[], now: number): number {
    const first = this.end;
    for (const info of batches) {
      setBaseOffset(info.parts, this.end);
      const stored: StoredBatch = { baseOffset: this.end, nextOffset: this.end + info.recordCount, maxTimestamp: info.maxTimestamp, appendTime: now, length: info.length };
      if (this.segments) stored.place = this.segments.append(info.parts, info.length);
      else stored.parts = keptParts(info.parts, info.length);
      this.batches.push(stored);
      this.end = stored.nextOffset;
      this.persistence?.append(stored);
    }
    for (const fn of [...this.listeners]) fn();
    return first;
  }

  /** Puts back a batch read from disk at start-up. */
  restore(batch: StoredBatch): void {
    if (batch.baseOffset !== this.end && this.batches.length > this.head) {
      throw new Error(`partition ${this.topic}/${this.partition}: batch at ${batch.baseOffset} does not follow ${this.end}`);
    }
    if (this.batches.length === this.head) this.start = Math.max(this.start, batch.baseOffset);
    this.batches.push(batch);
    this.end = batch.nextOffset;
  }

  /** Sets the log start at restore time (batches below it were deleted by retention before the restart). */
  restoreLogStart(offset: number): void {
    while (this.head < this.batches.length && this.batches[this.head].nextOffset <= offset) this.head++;
    this.start = Math.max(offset, this.start);
    if (this.head === this.batches.length) this.end = Math.max(this.end, offset);
    this.compact();
  }

  /** Drops expired batches from the array so their memory is freed. */
  private compact(): void {
    if (this.head === 0) return;
    this.batches = this.batches.slice(this.head);
    this.head = 0;
  }

  /**
   * Whole batches from the one that holds `fetchOffset`, within `maxBytes`; with `minOne`, the first batch is
   * returned even when it alone exceeds the limit (KIP-74), so a consumer never stalls on a large batch.
   */
  read(fetchOffset: number, maxBytes: number, minOne: boolean, buffers: ReadBuffers): ReadResult {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let i = this.indexOf(fetchOffset);
    if (i < 0) return { chunks, bytes };
    for (; i < this.batches.length; i++) {
      const b = this.batches[i];
      if (bytes + b.length > maxBytes && !(minOne && chunks.length === 0)) break;
      if (b.place) chunks.push(buffers.load(b.place.segment, b.place.position, b.length));
      else for (const part of b.parts!) chunks.push(part);
      bytes += b.length;
    }
    return { chunks, bytes };
  }

  /** Index of the live batch holding `offset`, or -1. */
  private indexOf(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.batches[mid];
      if (offset < b.baseOffset) hi = mid - 1;
      else if (offset >= b.nextOffset) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** First offset whose record timestamp is at or after `timestamp`, as ListOffsets answers it. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    for (let i = this.head; i < this.batches.length; i++) {
      const b = this.batches[i];
      if (b.maxTimestamp < timestamp) continue;
      for (const r of recordTimestamps(bytesOf(b))) {
        const offset = b.baseOffset + r.offsetDelta;
        if (r.timestamp >= timestamp && offset >= this.start) return { offset, timestamp: r.timestamp };
      }
    }
    return undefined;
  }

  /** Deletes whole batches appended before `cutoff` (retention); returns how many were deleted. */
  expireBefore(cutoff: number): number {
    let removed = 0;
    const expiredSegments: Segment[] = [];
    while (this.head < this.batches.length && this.batches[this.head].appendTime < cutoff) {
      const segment = this.batches[this.head].place?.segment;
      if (segment && expiredSegments[expiredSegments.length - 1] !== segment) expiredSegments.push(segment);
      this.start = this.batches[this.head].nextOffset;
      this.head++;
      removed++;
    }
    if (removed === 0) return 0;
    // A segment goes once no live batch is in it; the one the first live batch is in stays.
    const live = this.batches[this.head]?.place?.segment;
    for (const segment of expiredSegments) if (segment !== live) this.segments?.free(segment);
    this.compact();
    this.persistence?.setLogStart(this.start);
    this.producers.forgetBefore(this.start);
    return removed;
  }

  /** Frees the tmpfs segments (server shutdown). */
  close(): void {
    const freed = new Set<Segment>();
    for (let i = this.head; i < this.batches.length; i++) {
      const segment = this.batches[i].place?.segment;
      if (segment && !freed.has(segment)) {
        freed.add(segment);
        this.segments?.free(segment);
      }
    }
    this.batches = [];
    this.head = 0;
  }

  /** Calls `fn` after every append until the returned function is called. */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** A stored batch's bytes, in order, wherever they are kept. */
export function storedParts(b: StoredBatch): Buffer[] {
  return b.parts ?? [bytesOf(b)];
}

/** A stored batch's bytes in one buffer (ListOffsets by time reads its records). */
function bytesOf(b: StoredBatch): Buffer {
  if (b.place) {
    const out = Buffer.allocUnsafe(b.length);
    b.place.segment.read(b.place.position, b.length, out, 0);
    return out;
  }
  return b.parts!.length === 1 ? b.parts![0] : Buffer.concat(b.parts!, b.length);
}

/**
 * The parts a batch is stored in: the request's own chunks (no copy) when the batch fills at least half of the
 * memory they hold, else one compact copy, so a small batch never keeps a 64 KB socket chunk alive.
 */
function keptParts(parts: Buffer[], length: number): Buffer[] {
  let held = 0;
  for (let i = 0; i < parts.length; i++) {
    const chunk = parts[i].buffer;
    if (i === 0 || chunk !== parts[i - 1].buffer) held += chunk.byteLength;
  }
  return held <= 2 * length ? parts : [Buffer.concat(parts, length)];
}
