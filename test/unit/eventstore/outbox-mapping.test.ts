/** Where an outbox record goes and how it is dressed for each destination (pure mapping, no I/O). */
import type { AccessToken, TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { createMessage } from "../../../src/events/catalog.js";
import type { OutboxRecord } from "../../../src/eventstore/event-store.js";
import { EVENT_HUBS_SCOPE, saslFor, toKafkaMessage } from "../../../src/messaging/kafka-event-stream.js";
import { sessionIdOf, toServiceBusMessage } from "../../../src/messaging/service-bus-message-bus.js";
import { destinationsOf } from "../../../src/outbox/outbox-relay.js";

const context = { correlationId: "corr-1", causationId: "cause-1" };
const record = (r: Omit<OutboxRecord, "streamId" | "recordId" | "createdAt">): OutboxRecord => ({ streamId: "s-1", recordId: r.message.id, createdAt: "2025-01-01T00:00:00.000Z", ...r });

const placed = createMessage("PurchasePlaced", { purchaseId: "p-1", concertId: "c-1", fan: { id: "f", email: "f@example.com" }, tier: "vip", quantity: 1, unitPriceCents: 1, totalCents: 1, placedAt: "2025-01-01T00:00:00.000Z" }, context);
const cancelled = createMessage("PurchaseCancelled", { purchaseId: "p-1", concertId: "c-1", fan: { id: "f", email: "f@example.com" }, tier: "vip", quantity: 1, reason: "sold-out", refunded: false, cancelledAt: "2025-01-01T00:00:00.000Z" }, context);
const expired = createMessage("ReservationExpired", { purchaseId: "p-1", concertId: "c-1", heldSince: "2025-01-01T00:00:00.000Z" }, context);
const schedule = createMessage("ScheduleConcert", { concertId: "c-9", name: "n", venue: "v", startsAt: "2025-07-01T20:00:00.000Z", capacity: { standard: 1, vip: 1 }, prices: { standard: 1, vip: 1 } }, context);

describe("outbox destinations", () => {
  it("sends commands to Service Bus only, events also to Kafka, notify events also to Event Grid, timeouts to Service Bus only", () => {
    expect(destinationsOf(record({ channel: "commands", message: schedule }))).toEqual(["serviceBus"]);
    expect(destinationsOf(record({ channel: "events", message: placed }))).toEqual(["serviceBus", "kafka"]);
    expect(destinationsOf(record({ channel: "events", message: cancelled }))).toEqual(["serviceBus", "kafka", "eventGrid"]);
    expect(destinationsOf(record({ channel: "events", message: expired, scheduledFor: "2025-01-01T00:10:00.000Z" }))).toEqual(["serviceBus"]);
  });

  it("maps a command to a Service Bus message with commandType and the concert as session when there is no purchase", () => {
    const m = toServiceBusMessage(record({ channel: "commands", message: schedule }));
    expect(m).toMatchObject({ messageId: schedule.id, sessionId: "c-9", correlationId: "corr-1", subject: schedule.type, applicationProperties: { commandType: schedule.type, concertId: "c-9" } });
    expect(m.applicationProperties).not.toHaveProperty("eventType");
    expect(m.applicationProperties).not.toHaveProperty("Diagnostic-Id");
    expect(sessionIdOf(record({ channel: "events", message: placed, sessionId: "explicit" }))).toBe("explicit");
    expect(toServiceBusMessage(record({ channel: "events", message: expired, scheduledFor: "2025-01-01T00:10:00.000Z" })).scheduledEnqueueTimeUtc).toEqual(new Date("2025-01-01T00:10:00.000Z"));
  });

  it("maps an event to a Kafka record keyed by the given key, with the CloudEvent as value and the trace in headers", () => {
    const k = toKafkaMessage({ key: "purchase-p-1", event: placed });
    expect(k.key).toBe("purchase-p-1");
    expect(JSON.parse(k.value as string)).toEqual(placed);
    expect(k.headers).toEqual({ "content-type": "application/cloudevents+json; charset=utf-8", ce_id: placed.id, ce_type: placed.type, correlationid: "corr-1", causationid: "cause-1" });
  });

  it("authenticates to Event Hubs' Kafka endpoint with the connection string, or a token for the Event Hubs scope", async () => {
    expect(saslFor({ kind: "connectionString", brokers: ["h:9093"], ssl: true, connectionString: "Endpoint=sb://h/;SharedAccessKeyName=a;SharedAccessKey=b" })).toEqual({
      mechanism: "plain",
      username: "$ConnectionString",
      password: "Endpoint=sb://h/;SharedAccessKeyName=a;SharedAccessKey=b",
    });
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = { getToken: async (scope): Promise<AccessToken> => (scopes.push(scope), { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const sasl = saslFor({ kind: "identity", brokers: ["h:9093"], ssl: true, fullyQualifiedNamespace: "h", credential });
    expect(sasl.mechanism).toBe("oauthbearer");
    expect(sasl.mechanism === "oauthbearer" && (await sasl.oauthBearerProvider())).toEqual({ value: "entra-token" });
    expect(scopes).toEqual([EVENT_HUBS_SCOPE]);
  });
});
