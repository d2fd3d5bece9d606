/**
 * Where a partition's batch bytes live in memory mode on Linux: append-only segment files in tmpfs (/dev/shm),
 * unlinked as soon as they are opened, so they are RAM only and vanish with the process, as the in-memory log did.
 * Why not keep them in the process heap: first touches of fresh process memory (page faults) are the dearest thing
 * a stored byte costs, some 10-40 us per 4 KB page on the VMs this runs on (~4 us per stored 1 KB record, a third
 * of the broker's CPU per record); the kernel's page cache takes the same bytes for ~1 us per KB, the socket chunks
 * they arrived in are freed and reused, and reads come back into a few reused buffers (read-buffers.ts).
 * Retention frees whole segments, as Kafka does.
 */
import { closeSync, existsSync, openSync, readSync, unlinkSync, writevSync } from "node:fs";
import { join } from "node:path";

const TMPFS_DIR = "/dev/shm";
/** A segment is closed for appends past this size; a larger batch still goes in whole. */
const SEGMENT_BYTES = 32 * 1024 * 1024;

let nextFile = 0;

export class Segment {
  size = 0;

  constructor(private fd: number) {}

  append(parts: readonly Buffer[], length: number): number {
    const position = this.size;
    let written = 0;
    while (written < length) {
      // writev on tmpfs writes everything at once; the loop only guards the contract of a short write.
      const n = writevSync(this.fd, written === 0 ? (parts as Buffer[]) : remainder(parts, written), position + written);
      if (n <= 0) throw new Error("tmpfs segment write made no progress");
      written += n;
    }
    this.size += length;
    return position;
  }

  read(position: number, length: number, into: Buffer, at: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, at + done, length - done, position + done);
      if (n <= 0) throw new Error(`tmpfs segment ended at ${position + done} while reading ${length} bytes from ${position}`);
      done += n;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

function remainder(parts: readonly Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (skip >= p.length) skip -= p.length;
    else {
      out.push(skip > 0 ? p.subarray(skip) : p);
      skip = 0;
    }
  }
  return out;
}

export interface SegmentPlace {
  segment: Segment;
  position: number;
}

/** The segments of one partition; the newest takes appends. */
export class TmpfsSegments {
  private current: Segment | undefined;
  private bytesHeld = 0;

  /** Whether this machine has a tmpfs to keep batches in. */
  static available(): boolean {
    return process.platform === "linux" && existsSync(TMPFS_DIR);
  }

  constructor(private readonly label: string) {}

  /** Bytes held in live segments (outside the process heap, so not in its resident set). */
  get bytes(): number {
    return this.bytesHeld;
  }

  append(parts: readonly Buffer[], length: number): SegmentPlace {
    if (!this.current || this.current.size >= SEGMENT_BYTES) this.current = this.open();
    const position = this.current.append(parts, length);
    this.bytesHeld += length;
    return { segment: this.current, position };
  }

  /** Frees a segment none of whose batches are live any more. */
  free(segment: Segment): void {
    this.bytesHeld -= segment.size;
    segment.close();
    if (segment === this.current) this.current = undefined;
  }

  private open(): Segment {
    const file = join(TMPFS_DIR, `eventhubs-emulator-${process.pid}-${nextFile++}-${this.label.replace(/[^\w.-]/g, "_")}`);
    const fd = openSync(file, "wx+", 0o600);
    unlinkSync(file);
    return new Segment(fd);
  }
}
