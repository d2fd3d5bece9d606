/**
 * Keeps the Table endpoint's state on disk, durable on acknowledgement as Azure Table Storage is: every request's
 * changes are one record of the emulator's write-ahead log (the one Service Bus keeps its messages in, with group
 * commit), and the endpoint answers only once that record is synced. One record per request makes an entity-group
 * transaction all-or-nothing across a crash too. At start the log is replayed; when it has grown well past the live
 * state it is rewritten as a snapshot of that state.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../common/logger.js";
import { WriteAheadLog } from "../servicebus/durable/write-ahead-log.js";
import type { Change, TableModel } from "./table-model.js";

/** Compact when the log is this much larger than the state it holds (and at least this big). */
const COMPACT_RATIO = 3;
const COMPACT_MIN_BYTES = 64 * 1024 * 1024;
/** Entities per snapshot record. */
const SNAPSHOT_CHUNK = 500;

export class TableJournal {
  private liveBytes = 0;

  private constructor(
    private readonly log: WriteAheadLog,
    private readonly model: TableModel,
    private readonly logger: Logger,
  ) {}

  /** Opens (or creates) `<dataDir>/tables.log` and replays it into `model`. */
  static open(dataDir: string, model: TableModel, logger: Logger): TableJournal {
    mkdirSync(dataDir, { recursive: true });
    const { log, bodies, droppedBytes } = WriteAheadLog.open(path.join(dataDir, "tables.log"));
    if (droppedBytes > 0) {
      logger.warn("dropped a torn record at the end of the table log (cut short by a crash, never acknowledged)", {
        droppedBytes,
      });
    }
    for (const body of bodies) for (const change of JSON.parse(body.toString("utf8")) as Change[]) model.apply(change);
    const journal = new TableJournal(log, model, logger);
    journal.compact();
    logger.info("tables restored", { records: bodies.length, tables: model.tableNames().length });
    return journal;
  }

  /** Queues one request's changes as one record; `durable()` then says when they are on disk. */
  record(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    this.log.append(Buffer.from(JSON.stringify(changes), "utf8"));
    if (this.log.size > Math.max(COMPACT_MIN_BYTES, COMPACT_RATIO * this.liveBytes)) this.compact();
  }

  /** Settles once everything recorded so far is synced; rejects if the disk failed (then nothing more is promised). */
  durable(): Promise<void> {
    return this.log.durable() ?? Promise.resolve();
  }

  compact(): void {
    const before = this.log.size;
    this.liveBytes = 0;
    this.log.rewrite(this.snapshotRecords());
    this.liveBytes = this.log.size;
    if (before !== this.log.size) this.logger.debug("table log compacted", { before, after: this.log.size });
  }

  private *snapshotRecords(): Iterable<Buffer> {
    let chunk: Change[] = [];
    for (const change of this.model.snapshot()) {
      chunk.push(change);
      if (chunk.length >= SNAPSHOT_CHUNK) {
        yield Buffer.from(JSON.stringify(chunk), "utf8");
        chunk = [];
      }
    }
    if (chunk.length > 0) yield Buffer.from(JSON.stringify(chunk), "utf8");
  }

  close(): void {
    this.log.close();
  }
}
