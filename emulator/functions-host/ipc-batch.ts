/**
 * Coalesces the IPC messages of one event-loop turn into a single send: under load the host starts and the worker
 * finishes many invocations per turn, and each send is a serialization plus a write on the channel.
 */
export class IpcBatch<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(private readonly write: (messages: T[]) => void) {}

  push(message: T): void {
    this.queue.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Drops what is queued (the peer is gone). */
  clear(): void {
    this.queue = [];
  }

  /** Sends what is queued now (before a message that must follow it, or on exit). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const messages = this.queue;
    this.queue = [];
    this.write(messages);
  }
}
