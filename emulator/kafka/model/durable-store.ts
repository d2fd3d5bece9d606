/**
 * Durable mode (`--data-dir`): each partition log is a folder of append-only segment files holding the batches
 * exactly as stored (base offset included), named by their first offset as Kafka names them, with a `.timeindex`
 * beside each (base offset and append time per batch, for retention after a restart). Committed offsets are an
 * append-only JSON-lines file, compacted at start-up. Reads are served from memory; the files are reloaded on start.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../common/logger.js";
import { batchRecordCount } from "../record-batch.js";
import type { EventHubNamespace } from "./event-hub-namespace.js";
import type { OffsetCommitRecord, OffsetPersistence, OffsetStore } from "./offset-store.js";
import { type PartitionLog, type PartitionPersistence, type StoredBatch, storedParts } from "./partition-log.js";

const SEGMENT_BYTES = 64 * 1024 * 1024;
const TIME_ENTRY = 16;

const segmentName = (baseOffset: number) => String(baseOffset).padStart(20, "0");

class PartitionFiles implements PartitionPersistence {
  private segments: number[] = [];
  private fd = -1;
  private timeFd = -1;
  private segmentSize = 0;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Reads the folder back into the log; a batch cut short by a crash is dropped with the file's tail. */
  load(log: PartitionLog, logger: Logger): void {
    const startFile = join(this.dir, "log-start-offset");
    const logStart = existsSync(startFile) ? Number(readFileSync(startFile, "utf8").trim()) || 0 : 0;
    this.segments = readdirSync(this.dir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => Number(f.slice(0, -4)))
      .sort((a, b) => a - b);
    for (const base of this.segments) {
      const file = join(this.dir, `${segmentName(base)}.log`);
      const data = readFileSync(file);
      const timeFile = join(this.dir, `${segmentName(base)}.timeindex`);
      const times = existsSync(timeFile) ? readFileSync(timeFile) : Buffer.alloc(0);
      const fallbackTime = statSync(file).mtimeMs;
      let pos = 0;
      let index = 0;
      while (pos + 12 <= data.length) {
        const total = 12 + data.readInt32BE(pos + 8);
        if (total < 61 || pos + total > data.length) break;
        const bytes = data.subarray(pos, pos + total);
        const baseOffset = Number(bytes.readBigInt64BE(0));
        const appendTime = (index + 1) * TIME_ENTRY <= times.length ? Number(times.readBigInt64BE(index * TIME_ENTRY + 8)) : fallbackTime;
        const batch: StoredBatch = { baseOffset, nextOffset: baseOffset + batchRecordCount(bytes), maxTimestamp: Number(bytes.readBigInt64BE(35)), appendTime, parts: [bytes], length: total };
        log.restore(batch);
        pos += total;
        index++;
      }
      if (pos < data.length) {
        logger.warn("dropping a partial batch at the end of a segment", { file, bytes: data.length - pos });
        const fd = openSync(file, "r+");
        ftruncateSync(fd, pos);
        closeSync(fd);
      }
    }
    log.restoreLogStart(logStart);
    log.persistence = this;
    if (this.segments.length > 0) this.openSegment(this.segments[this.segments.length - 1]);
  }

  private openSegment(base: number): void {
    this.closeFiles();
    if (!this.segments.includes(base)) this.segments.push(base);
    this.fd = openSync(join(this.dir, `${segmentName(base)}.log`), "a");
    this.timeFd = openSync(join(this.dir, `${segmentName(base)}.timeindex`), "a");
    this.segmentSize = fstatSync(this.fd).size;
  }

  append(batch: StoredBatch): void {
    if (this.fd < 0 || (this.segmentSize > 0 && this.segmentSize + batch.length > this.segmentBytes)) this.openSegment(batch.baseOffset);
    for (const part of storedParts(batch)) writeSync(this.fd, part);
    const entry = Buffer.allocUnsafe(TIME_ENTRY);
    entry.writeBigInt64BE(BigInt(batch.baseOffset), 0);
    entry.writeBigInt64BE(BigInt(Math.round(batch.appendTime)), 8);
    writeSync(this.timeFd, entry);
    this.segmentSize += batch.length;
  }

  setLogStart(offset: number): void {
    writeFileSync(join(this.dir, "log-start-offset"), String(offset));
    // A segment can go once the next one starts at or below the new log start (the active one always stays).
    while (this.segments.length > 1 && this.segments[1] <= offset) {
      const base = this.segments.shift()!;
      rmSync(join(this.dir, `${segmentName(base)}.log`), { force: true });
      rmSync(join(this.dir, `${segmentName(base)}.timeindex`), { force: true });
    }
  }

  closeFiles(): void {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.timeFd >= 0) closeSync(this.timeFd);
    this.fd = this.timeFd = -1;
  }
}

class OffsetsFile implements OffsetPersistence {
  private fd = -1;

  constructor(private readonly file: string) {}

  load(store: OffsetStore, logger: Logger): void {
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          const r = JSON.parse(line) as { g: string; t?: string; p?: number; o?: number; m?: string | null; ts?: number; deleted?: boolean };
          if (r.deleted) store.deleteGroup(r.g, false);
          else store.commit({ group: r.g, topic: r.t!, partition: r.p!, offset: r.o!, metadata: r.m ?? null, commitTimestamp: r.ts ?? 0 }, false);
        } catch {
          logger.warn("skipping an unreadable line of the committed offsets file", { file: this.file });
        }
      }
    }
    // Compact: one line per committed (group, topic, partition).
    const lines: string[] = [];
    for (const g of store.groupIds()) {
      for (const [t, parts] of store.topicsOf(g)) {
        for (const [p, c] of parts) lines.push(JSON.stringify({ g, t, p, o: c.offset, m: c.metadata, ts: c.commitTimestamp }));
      }
    }
    writeFileSync(`${this.file}.tmp`, lines.map((l) => l + "\n").join(""));
    renameSync(`${this.file}.tmp`, this.file);
    this.fd = openSync(this.file, "a");
    store.persistence = this;
  }

  commit(r: OffsetCommitRecord): void {
    writeSync(this.fd, JSON.stringify({ g: r.group, t: r.topic, p: r.partition, o: r.offset, m: r.metadata, ts: r.commitTimestamp }) + "\n");
  }

  deleteGroup(group: string): void {
    writeSync(this.fd, JSON.stringify({ g: group, deleted: true }) + "\n");
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export interface DurableStore {
  close(): void;
}

/** Loads `${dataDir}/kafka/` into the namespace and offset store, and keeps writing to it from then on. */
export function openDurableStore(dataDir: string, namespace: EventHubNamespace, offsets: OffsetStore, logger: Logger, segmentBytes = SEGMENT_BYTES): DurableStore {
  const root = join(dataDir, "kafka");
  mkdirSync(join(root, "logs"), { recursive: true });
  const partitions: PartitionFiles[] = [];
  for (const hub of namespace.all()) {
    for (const log of hub.partitions) {
      const files = new PartitionFiles(join(root, "logs", `${encodeURIComponent(hub.name.toLowerCase())}-${log.partition}`), segmentBytes);
      files.load(log, logger);
      partitions.push(files);
    }
  }
  const offsetsFile = new OffsetsFile(join(root, "committed-offsets.jsonl"));
  offsetsFile.load(offsets, logger);
  return {
    close() {
      for (const p of partitions) p.closeFiles();
      offsetsFile.close();
    },
  };
}
