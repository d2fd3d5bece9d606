/**
 * Coalesces work on one key: while a batch for a key is being processed, what arrives for the same key waits and
 * goes in the next batch, together. A busy read model row (one concert's availability or sales, written for every
 * purchase) then costs one read and one conditional write per batch in this worker, instead of every concurrent
 * delivery racing every other on the row's ETag; races with other instances remain, and the writers retry those.
 */
interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class KeyedBatcher<T, R> {
  private readonly queues = new Map<string, Pending<T, R>[]>();

  constructor(
    /** Processes one batch of one key; answers one result per item, in order. */
    private readonly process: (key: string, items: T[]) => Promise<R[]>,
    private readonly maxBatch = 50,
  ) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      const fresh: Pending<T, R>[] = [{ item, resolve, reject }];
      this.queues.set(key, fresh);
      void this.drain(key, fresh);
    });
  }

  private async drain(key: string, queue: Pending<T, R>[]): Promise<void> {
    // Let the deliveries that arrived in the same tick join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        const results = await this.process(key, batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.queues.delete(key);
  }
}
