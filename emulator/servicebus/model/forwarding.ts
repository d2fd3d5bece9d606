/**
 * Auto-forwarding: a queue or subscription with ForwardTo hands every message that becomes active to another queue
 * or topic, and ForwardDeadLetteredMessagesTo does the same for its dead-letter queue (the forwarded copy carries
 * `x-opt-deadletter-source`). Azure allows 4 hops; a message that would take a fifth, or that the target refuses,
 * goes to the source's transfer dead-letter queue (`…/$Transfer/$DeadLetterQueue`) instead.
 */
import type { MessageObservers } from "./message-observer.js";
import type { MessagePayload } from "./message-payload.js";
import type { MessageRecord } from "./message-record.js";
import { DEAD_LETTER_DESCRIPTION, DEAD_LETTER_REASON, type MessageStore } from "./message-store.js";

export const MAX_TRANSFER_HOPS = 4;

/** A message on its way from one entity to another. */
export interface Transfer {
  payload: MessagePayload;
  /** Hops taken including this one. */
  transferHops: number;
  deadLetterSource?: string;
}

/** Why a target refused a transfer; becomes the DeadLetterReason / DeadLetterErrorDescription in the TDLQ. */
export class TransferRefused extends Error {
  constructor(
    readonly reason: string,
    readonly description: string,
  ) {
    super(description);
    this.name = "TransferRefused";
  }
}

/** A queue or topic that can take a forwarded message. Throws TransferRefused when it cannot. */
export interface TransferTarget {
  readonly name: string;
  acceptTransfer(transfer: Transfer): void;
}

/** Finds forwarding targets by name (the namespace). */
export interface Router {
  forwardTarget(name: string): TransferTarget | undefined;
  /** Who watches the namespace's messages (the dashboard); absent in models built without a namespace. */
  readonly messageObservers?: MessageObservers;
}

/** The forwarding side of a queue or subscription. */
export interface ForwardingSource {
  router: Router | undefined;
  readonly transferDeadLetters: MessageStore;
  /** Messages forwarded to another entity so far (runtime counter for the administration API). */
  transferredCount: number;
}

/** A store's divert hook that forwards to `target()` when it names an entity; `deadLetterSource` marks DLQ forwarding. */
export function forwardingDivert(source: ForwardingSource, target: () => string | undefined, deadLetterSource?: string): (record: MessageRecord) => boolean {
  return (record) => {
    const name = target();
    const router = source.router;
    if (!name || !router) return false;
    const hops = record.transferHops ?? 0;
    const refuse = (reason: string, description: string) => {
      const payload = record.payload.withUserProperties([
        [DEAD_LETTER_REASON, reason],
        [DEAD_LETTER_DESCRIPTION, description],
      ]);
      source.transferDeadLetters.adopt(record, payload);
      return true;
    };
    if (hops >= MAX_TRANSFER_HOPS) return refuse("MaxTransferHopCountExceeded", "Maximum transfer hop count is exceeded.");
    const destination = router.forwardTarget(name);
    if (!destination) return refuse("MessagingEntityNotFound", `The messaging entity '${name}' could not be found.`);
    try {
      destination.acceptTransfer({ payload: record.payload, transferHops: hops + 1, deadLetterSource: deadLetterSource ?? record.deadLetterSource });
    } catch (err) {
      if (err instanceof TransferRefused) return refuse(err.reason, err.description);
      throw err;
    }
    source.transferredCount++;
    return true;
  };
}

/** The scheduled enqueue time a message asks for (x-opt-scheduled-enqueue-time), in ms; undefined when none. */
export function scheduledTimeOf(payload: MessagePayload): number | undefined {
  const value = payload.system("ScheduledEnqueueTimeUtc");
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return undefined;
}
