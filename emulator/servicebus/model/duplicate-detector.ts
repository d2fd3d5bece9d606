/**
 * Duplicate detection (RequiresDuplicateDetection): a MessageId seen within DuplicateDetectionHistoryTimeWindow is
 * accepted from the sender and dropped. The window counts from the first time an id was seen, on the emulator clock.
 * Ids are kept in arrival order, so pruning only ever looks at the oldest ones (amortised O(1) per message).
 */
import type { Clock } from "../../common/clock.js";
import type { MessagePayload } from "./message-payload.js";

export class DuplicateDetector {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: () => number,
  ) {}

  /** True when the message repeats a MessageId seen inside the window; otherwise remembers its id. */
  isDuplicate(payload: MessagePayload): boolean {
    const id = messageIdKey(payload.system("MessageId"));
    if (id === undefined) return false;
    const now = this.clock.now();
    this.prune(now);
    if (this.seen.has(id)) return true;
    this.seen.set(id, now);
    return false;
  }

  /** How many ids the history holds now. */
  get size(): number {
    this.prune(this.clock.now());
    return this.seen.size;
  }

  private prune(now: number): void {
    const window = this.windowMs();
    for (const [id, at] of this.seen) {
      if (at + window > now) break;
      this.seen.delete(id);
    }
  }
}

/** A message id as a map key; the type is part of it, so the string "1" and the number 1 differ as in Azure. */
function messageIdKey(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return `binary:${value.toString("hex")}`;
  if (typeof value === "string") return `string:${value}`;
  return `${typeof value}:${String(value)}`;
}
