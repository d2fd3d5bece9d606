/**
 * Delivers committed outbox records to every destination they have, then marks them sent:
 *   channel `commands`            -> the `commands` topic;
 *   channel `events`              -> the `events` topic (events and timeouts, a timeout scheduled for later);
 *     and, for an event (not a timeout) -> the Kafka event hub (key = the record's partition key, else stream id);
 *     and, for a catalog `notify` event -> the Event Grid topic.
 * A record is marked sent only when all its destinations took it; otherwise it stays pending and the failure is
 * reported, and the sweeper delivers it again later. Delivering again is harmless on Service Bus (duplicate
 * detection on the message id) and at-least-once on Kafka and Event Grid, whose consumers dedupe on the event id.
 */
import { catalog, messageNameOf } from "../events/catalog.js";
import type { EventStore, OutboxRecord } from "../eventstore/event-store.js";
import type { EventStream } from "../messaging/kafka-event-stream.js";
import type { NotificationPublisher } from "../messaging/event-grid-publisher.js";
import type { MessageBus } from "../messaging/service-bus-message-bus.js";
import type { OutboxDelivery } from "../messaging/message-consumer.js";

export type Destination = "serviceBus" | "kafka" | "eventGrid";

export interface DeliveryReport {
  sent: OutboxRecord[];
  failed: { record: OutboxRecord; destinations: Destination[] }[];
}

export interface OutboxRelayOptions {
  store: EventStore;
  serviceBus: MessageBus;
  /** Absent: events are not mirrored to Kafka (no EventHubsConnection). */
  kafka?: EventStream;
  /** Absent: notify events are not pushed to Event Grid. */
  eventGrid?: NotificationPublisher;
  onError?: (destination: Destination | "markSent", error: unknown, records: readonly OutboxRecord[]) => void;
}

export function destinationsOf(record: OutboxRecord): Destination[] {
  if (record.channel === "commands") return ["serviceBus"];
  const name = messageNameOf(record.message.type);
  const def = name ? catalog[name] : undefined;
  const destinations: Destination[] = ["serviceBus"];
  if (def?.kind === "event") destinations.push("kafka");
  if (def?.notify) destinations.push("eventGrid");
  return destinations;
}

export class OutboxRelay implements OutboxDelivery {
  constructor(private readonly options: OutboxRelayOptions) {}

  async deliver(records: readonly OutboxRecord[]): Promise<DeliveryReport> {
    const { serviceBus, kafka, eventGrid } = this.options;
    const wanted = (d: Destination) => records.filter((r) => destinationsOf(r).includes(d));
    const failures = new Map<OutboxRecord, Destination[]>();
    const attempt = async (destination: Destination, batch: OutboxRecord[], send: () => Promise<void>) => {
      if (batch.length === 0) return;
      try {
        await send();
      } catch (err) {
        for (const r of batch) failures.set(r, [...(failures.get(r) ?? []), destination]);
        this.report(destination, err, batch);
      }
    };
    const toServiceBus = wanted("serviceBus");
    const toKafka = kafka ? wanted("kafka") : [];
    const toEventGrid = eventGrid ? wanted("eventGrid") : [];
    await Promise.all([
      attempt("serviceBus", toServiceBus, () => serviceBus.send(toServiceBus)),
      attempt("kafka", toKafka, () => kafka!.publish(toKafka.map((r) => ({ key: r.partitionKey ?? r.streamId, event: r.message })))),
      attempt("eventGrid", toEventGrid, () => eventGrid!.publish(toEventGrid.map((r) => r.message))),
    ]);
    const sent = records.filter((r) => !failures.has(r));
    if (sent.length) {
      try {
        await this.options.store.markSent(sent);
      } catch (err) {
        // Delivered but still pending: the sweeper sends them again, and duplicate detection drops the copies.
        this.report("markSent", err, sent);
        return { sent: [], failed: records.map((record) => ({ record, destinations: failures.get(record) ?? [] })) };
      }
    }
    return { sent, failed: [...failures].map(([record, destinations]) => ({ record, destinations })) };
  }

  private report(destination: Destination | "markSent", error: unknown, records: readonly OutboxRecord[]): void {
    if (this.options.onError) this.options.onError(destination, error, records);
    else console.error(`outbox relay: ${records.length} record(s) not delivered to ${destination} (left pending): ${error instanceof Error ? error.message : String(error)}`);
  }
}
