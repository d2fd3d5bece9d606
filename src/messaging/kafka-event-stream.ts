/**
 * Mirrors domain events to the Event Hubs Kafka endpoint (topic `festival-events`) with kafkajs, for consumers that
 * read the whole history in order (analytics, new read models). Each record: key = the stream id (a stream's events
 * stay in order on one partition), value = the CloudEvent JSON (structured mode), headers = content-type, ce_id,
 * ce_type, correlationid, causationid, traceparent.
 *
 * Authentication as Event Hubs wants it: SASL PLAIN with user `$ConnectionString` and the connection string as
 * password, or SASL OAUTHBEARER with an Entra ID token for https://eventhubs.azure.net/.default (identity-based).
 * The topic is never auto-created (Event Hubs cannot); requests stay under Event Hubs' 1 MB limit. Delivery is at
 * least once (a retried publish may write a record twice): Kafka consumers dedupe on ce_id.
 */
import { type IHeaders, Kafka, logLevel, type Message, Partitioners, type Producer, type SASLOptions } from "kafkajs";
import { type EventHubsConnection, topology } from "../config.js";
import { CLOUD_EVENTS_CONTENT_TYPE, type CloudEvent } from "../events/envelope.js";
import { tracedPublish } from "../telemetry/publish-tracing.js";

export const EVENT_HUBS_SCOPE = "https://eventhubs.azure.net/.default";
/** Under Event Hubs' ~1,046,528-byte request limit, with room for the request's own framing. */
const MAX_REQUEST_BYTES = 900_000;

export interface StreamEvent {
  key: string;
  event: CloudEvent;
}

export interface EventStream {
  publish(events: readonly StreamEvent[]): Promise<void>;
  close(): Promise<void>;
}

export class KafkaRecordTooLargeError extends Error {
  constructor(id: string, bytes: number) {
    super(`Event ${id} is ${bytes} bytes as a Kafka record; Event Hubs accepts requests up to about 1 MB.`);
    this.name = "KafkaRecordTooLargeError";
  }
}

export function saslFor(connection: EventHubsConnection): SASLOptions {
  if (connection.kind === "connectionString") return { mechanism: "plain", username: "$ConnectionString", password: connection.connectionString };
  const { credential } = connection;
  return {
    mechanism: "oauthbearer",
    oauthBearerProvider: async () => {
      const token = await credential.getToken(EVENT_HUBS_SCOPE);
      if (!token) throw new Error(`No Entra ID token for ${EVENT_HUBS_SCOPE}.`);
      return { value: token.token };
    },
  };
}

export function createKafka(connection: EventHubsConnection, clientId = "musicfest-ticketing"): Kafka {
  return new Kafka({
    clientId,
    brokers: connection.brokers,
    ssl: connection.ssl,
    sasl: saslFor(connection),
    logLevel: logLevel.ERROR,
    // Event Hubs closes idle connections after 240 s; a reconnect is the normal, retried case.
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

/** `traceparent`: the trace context for the header (the publish span's when tracing is on; else the event's). */
export function toKafkaMessage({ key, event }: StreamEvent, traceparent: string | undefined = event.traceparent): Message {
  const headers: IHeaders = { "content-type": CLOUD_EVENTS_CONTENT_TYPE, ce_id: event.id, ce_type: event.type, correlationid: event.correlationid };
  if (event.causationid !== undefined) headers.causationid = event.causationid;
  if (traceparent !== undefined) headers.traceparent = traceparent;
  return { key, value: JSON.stringify(event), headers };
}

function sizeOf(message: Message): number {
  let n = 64 + Buffer.byteLength(String(message.key)) + Buffer.byteLength(message.value as string);
  for (const [k, v] of Object.entries(message.headers ?? {})) n += k.length + Buffer.byteLength(String(v)) + 8;
  return n;
}

export class KafkaEventStream implements EventStream {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly topic: string = topology.eventHub,
  ) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async publish(events: readonly StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    await this.connected;
    await tracedPublish(
      "kafka",
      events.map(({ event }) => ({ message: event, destination: this.topic })),
      async (traceparents) => {
        for (const chunk of chunks(events.map((e, i) => toKafkaMessage(e, traceparents[i])))) await this.producer.send({ topic: this.topic, messages: chunk, acks: -1 });
      },
    );
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

/** Splits messages into requests under the size limit, keeping their order. */
function chunks(messages: Message[]): Message[][] {
  const out: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (size > MAX_REQUEST_BYTES) throw new KafkaRecordTooLargeError(String(m.headers?.ce_id), size);
    if (bytes + size > MAX_REQUEST_BYTES && current.length) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}
