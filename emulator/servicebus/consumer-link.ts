/**
 * A client's receive link on a queue, subscription or dead-letter queue: offers messages within its credit,
 * answers drains, and turns the client's dispositions into complete / abandon / defer / dead-letter. A session
 * receiver holds one session's lock; when that lock expires the link is detached with session-lock-lost.
 */
import { keyOf, type TypedValue } from "./amqp/codec.js";
import { encodeRecord } from "./amqp/delivery-encoding.js";
import { asFault, faults } from "./amqp/errors.js";
import { lockTokenToDeliveryTag } from "./amqp/lock-token.js";
import { OutgoingLink, outcomes, refuseLink } from "./amqp/rhea-adapter.js";
import type { Logger } from "../common/logger.js";
import type { MessageRecord } from "./model/message-record.js";
import type { MessageConsumer, MessageStore, PropertyChanges } from "./model/message-store.js";

/** The lock token a delivery carries, kept on rhea's delivery object (cheaper than a WeakMap entry per delivery). */
const LOCK_TOKEN = "emulatorLockToken";

/** The key/value pairs of a typed AMQP map (keys as strings, values keeping their types). */
export function typedEntries(map: TypedValue | undefined | null): [string, TypedValue][] {
  if (!map || !Array.isArray(map.value)) return [];
  const items = map.value as TypedValue[];
  const out: [string, TypedValue][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([keyOf(items[i]), items[i + 1]]);
  return out;
}

export class ConsumerLink implements MessageConsumer {
  readonly out: OutgoingLink;
  private tags = 0;
  private closeHandlers: (() => void)[] = [];
  private closed = false;

  constructor(
    link: any,
    readonly store: MessageStore,
    private readonly logger: Logger,
    /** The session this receiver holds (set once the session is locked). */
    public sessionId?: string,
    /** Durable mode: settles once every change so far is on disk; settlements are answered after it. */
    private readonly durable?: () => Promise<void> | undefined,
  ) {
    this.out = new OutgoingLink(link);
  }

  /** Read from our answering attach, which copies the client's settle modes (filled in after construction). */
  get receiveAndDelete(): boolean {
    return this.out.presettled;
  }

  start(): void {
    this.store.addConsumer(this);
  }

  capacity(): number {
    return this.out.capacity();
  }

  deliver(record: MessageRecord, lockToken: string | undefined, previousDeliveries: number): void {
    const bytes = encodeRecord(record, previousDeliveries, lockToken);
    // Without a lock (receiveAndDelete) the tag only has to be unique on the link.
    const delivery = this.out.send(bytes, lockToken ? lockTokenToDeliveryTag(lockToken) : Buffer.from(String(this.tags++)));
    delivery[LOCK_TOKEN] = lockToken;
  }

  /** The client changed its credit (or asked to drain). */
  onFlow(): void {
    this.store.pump();
    this.out.answerDrain();
  }

  /** A disposition from the client for one of our deliveries. */
  onOutcome(kind: "accepted" | "rejected" | "modified" | "released", delivery: any): void {
    const token: string | undefined = delivery[LOCK_TOKEN];
    if (!token || delivery.settled) return;
    const state = delivery.remote_state;
    try {
      switch (kind) {
        case "accepted":
          this.store.complete(token);
          this.settle(delivery, outcomes.accepted());
          break;
        case "modified": {
          const fields = state?.value ?? [];
          const changes = typedEntries(fields[2]);
          const deferred = Boolean(fields[1]?.value);
          if (deferred) this.store.defer(token, nonEmpty(changes));
          else this.store.abandon(token, nonEmpty(changes));
          this.settle(delivery, outcomes.modified({ delivery_failed: Boolean(fields[0]?.value), undeliverable_here: deferred }));
          break;
        }
        case "rejected": {
          const error = state?.value?.[0];
          const info = typedEntries(error?.value?.[2]);
          let reason: string | undefined;
          let description: string | undefined;
          const rest: [string, TypedValue][] = [];
          for (const [k, v] of info) {
            if (k === "DeadLetterReason") reason = v.value ?? undefined;
            else if (k === "DeadLetterErrorDescription") description = v.value ?? undefined;
            else rest.push([k, v]);
          }
          this.store.deadLetter(token, reason, description, nonEmpty(rest));
          // Never echo an error here: the SDK treats a settled state with an error as a failed dead-letter.
          this.settle(delivery, outcomes.rejected());
          break;
        }
        case "released":
          this.store.abandon(token);
          this.settle(delivery, outcomes.released());
          break;
      }
    } catch (err) {
      const fault = asFault(err);
      if (fault.condition === "amqp:internal-error") this.logger.warn("settlement failed", { error: fault.message });
      this.out.settle(delivery, outcomes.rejected(fault.toAmqpError()));
    }
  }

  /** Settles a delivery, in durable mode once the settlement's change is on disk. */
  private settle(delivery: any, outcome: unknown): void {
    const pending = this.durable?.();
    if (!pending) {
      this.out.settle(delivery, outcome);
      return;
    }
    const later = (final: unknown) => {
      try {
        this.out.settle(delivery, final);
      } catch {
        // The link closed while the log was syncing.
      }
    };
    pending.then(
      () => later(outcome),
      (err: Error) => later(outcomes.rejected(faults.internal(`The settlement could not be stored: ${err.message}`).toAmqpError())),
    );
  }

  /** The store ended this receiver's session lock (it expired): detach, as Azure does. */
  sessionLost(): void {
    if (this.out.link.is_closed()) return;
    refuseLink(this.out.link, faults.sessionLockLost(this.sessionId ?? "").toAmqpError());
  }

  /** Runs `fn` when the link goes away (once). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHandlers.push(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.removeConsumer(this);
    for (const fn of this.closeHandlers) fn();
    this.closeHandlers = [];
  }
}

function nonEmpty(changes: [string, TypedValue][]): PropertyChanges | undefined {
  return changes.length > 0 ? changes : undefined;
}
