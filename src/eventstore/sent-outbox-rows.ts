/**
 * Outbox rows already delivered, waiting to be deleted. Deleting each commit's rows as soon as they are sent was a
 * Table Storage request of its own after most commits (8 of a purchase's ~45). A stream written again soon (a
 * purchase's process, a concert under a rush) has them deleted by its next commit, in the same entity-group
 * transaction; the rows of a stream that stays quiet are deleted by a flush, per partition, once they have waited
 * a delay (1.5 s: a purchase's next step comes well within it, even on a busy machine).
 *
 * Until deleted, a sent row is still in the table: this process' reads of the outbox leave it out, another
 * instance's sweeper may find it after its grace period (longer than the delay) and deliver it again, which the
 * outbox already allows (Service Bus duplicate detection; idempotent consumers). A crash loses only the deletes.
 */
export interface SentOutboxRowsOptions {
  /** Deletes the rows of one partition (404s are the caller's to ignore). */
  remove(partitionKey: string, rowKeys: readonly string[]): Promise<void>;
  /** How long a stream's sent rows wait for its next commit (default 1,500 ms). */
  delayMs?: number;
  onError?: (error: unknown, partitionKey: string, rowKeys: readonly string[]) => void;
}

export class SentOutboxRows {
  private readonly waiting = new Map<string, Set<string>>();
  /** When each partition's oldest waiting row was sent (ms). */
  private readonly since = new Map<string, number>();
  /** Rows a flush is deleting right now: still sent, not yet gone. */
  private readonly deleting = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SentOutboxRowsOptions) {}

  /** Rows now sent: deleted by their stream's next commit or by the next flush. */
  add(partitionKey: string, rowKeys: Iterable<string>): void {
    let rows = this.waiting.get(partitionKey);
    if (!rows) {
      this.waiting.set(partitionKey, (rows = new Set()));
      this.since.set(partitionKey, Date.now());
    }
    for (const rowKey of rowKeys) rows.add(rowKey);
    this.schedule();
  }

  private get delayMs(): number {
    return this.options.delayMs ?? 1_500;
  }

  private schedule(): void {
    // Unref'd: waiting deletes never keep a process alive (the sweeper covers a row left behind).
    if (this.waiting.size > 0) this.timer ??= setTimeout(() => void this.flushDue(), this.delayMs / 3).unref();
  }

  /** The timer's flush: the partitions that have waited the delay; the others wait for the next turn. */
  private flushDue(): Promise<void> {
    this.timer = undefined;
    const due = Date.now() - this.delayMs;
    const done = this.flush((partitionKey) => (this.since.get(partitionKey) ?? 0) <= due);
    this.schedule();
    return done;
  }

  isSent(partitionKey: string, rowKey: string): boolean {
    return (this.waiting.get(partitionKey)?.has(rowKey) || this.deleting.get(partitionKey)?.has(rowKey)) ?? false;
  }

  /**
   * Takes up to `max` of a partition's waiting rows for a commit to delete, except `rewritten` ones (the commit
   * writes them again: a new pending record). Give them back with `add` if the commit fails.
   */
  take(partitionKey: string, max: number, rewritten: ReadonlySet<string>): string[] {
    const rows = this.waiting.get(partitionKey);
    if (!rows) return [];
    const taken: string[] = [];
    for (const rowKey of rows) {
      if (rewritten.has(rowKey)) rows.delete(rowKey);
      else if (taken.length < max) {
        taken.push(rowKey);
        rows.delete(rowKey);
      }
    }
    if (rows.size === 0) {
      this.waiting.delete(partitionKey);
      this.since.delete(partitionKey);
    }
    return taken;
  }

  /** Deletes the waiting rows (of the partitions `due` picks) now; settles when done (failures: onError, sweeper). */
  flush(due: (partitionKey: string) => boolean = () => true): Promise<void> {
    const partitions = [...this.waiting].filter(([partitionKey]) => due(partitionKey));
    for (const [partitionKey, rows] of partitions) {
      this.waiting.delete(partitionKey);
      this.since.delete(partitionKey);
      const deleting = this.deleting.get(partitionKey);
      if (deleting) for (const rowKey of rows) deleting.add(rowKey);
      else this.deleting.set(partitionKey, new Set(rows));
    }
    const run = async () => {
      await Promise.all(
        partitions.map(async ([partitionKey, rows]) => {
          const rowKeys = [...rows];
          try {
            await this.options.remove(partitionKey, rowKeys);
          } catch (err) {
            this.options.onError?.(err, partitionKey, rowKeys);
          } finally {
            const deleting = this.deleting.get(partitionKey);
            for (const rowKey of rowKeys) deleting?.delete(rowKey);
            if (deleting?.size === 0) this.deleting.delete(partitionKey);
          }
        }),
      );
    };
    this.flushing = this.flushing.then(run);
    return this.flushing;
  }
}
