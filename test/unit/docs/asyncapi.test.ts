import { readFileSync } from "node:fs";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { ASYNCAPI_FILE, renderAsyncApi } from "../../../scripts/asyncapi.js";
import { commandConsumers, eventConsumers, notificationConsumers } from "../../../src/app/consumers.js";
import { catalog, createMessage, type MessageName } from "../../../src/events/catalog.js";
import type { MessageDefinition } from "../../../src/events/definition.js";
import { toKafkaMessage } from "../../../src/messaging/kafka-event-stream.js";
import { toServiceBusMessage } from "../../../src/messaging/service-bus-message-bus.js";

// ajv-formats is CommonJS with a default export object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: "send" | "receive"; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { messages: Record<string, { name: string; deprecated?: boolean; payload: unknown; headers?: unknown }> };
};

const generated = renderAsyncApi();
const doc = JSON.parse(generated) as Doc;

/** The CloudEvents type of a component message (its payload fixes `type`). */
function typeOf(messageRef: string): string {
  const key = messageRef.split("/").pop()!;
  const payload = doc.components.messages[key].payload as { allOf: { properties?: { type?: { const: string } } }[] };
  return payload.allOf[1].properties!.type!.const;
}

/** Operation's message refs point at channel messages; follow them to the component's CloudEvents type. */
function typesOf(operationId: string): string[] {
  const op = doc.operations[operationId];
  expect(op, `operation ${operationId}`).toBeDefined();
  const channel = op.channel.$ref.replace("#/channels/", "");
  return op.messages.map((m) => typeOf(doc.channels[channel].messages[m.$ref.split("/").pop()!].$ref)).sort();
}

const typesFor = (names: readonly MessageName[]) => names.map((n) => catalog[n].type).sort();

function validator() {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  // The document's `id` is AsyncAPI's, not a JSON Schema id.
  const { id: _id, ...rest } = doc as Doc & { id?: string };
  ajv.addSchema(rest, "asyncapi.json");
  return (pointer: string, value: unknown) => {
    const validate = ajv.getSchema(`asyncapi.json#${pointer}`)!;
    const ok = validate(JSON.parse(JSON.stringify(value)));
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

const placed = createMessage(
  "PurchasePlaced",
  {
    purchaseId: "6f1c3bd8-2a45-4c52-9a55-0d7d1f0e2a11",
    concertId: "midsummer-2026",
    fan: { id: "fan-1", email: "ada@example.com", name: "Ada" },
    tier: "vip",
    quantity: 2,
    unitPriceCents: 12_000,
    totalCents: 24_000,
    placedAt: "2026-06-01T10:00:00.000Z",
  },
  { id: "purchase-6f1c3bd8:1", correlationId: "req-1", causationId: "cmd-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
);

describe("AsyncAPI document (docs/asyncapi.json)", () => {
  it("is the one `npm run asyncapi` generates from the current catalog and topology", () => {
    const checkedIn = readFileSync(ASYNCAPI_FILE, "utf8");
    if (checkedIn !== generated) expect.fail("docs/asyncapi.json is out of date with src/events/catalog.ts or topology/: run `npm run asyncapi` and commit the file.");
  });

  it("is valid AsyncAPI 3.0 for the official parser: no errors, no warnings", async () => {
    const { document, diagnostics } = await new Parser().parse(generated);
    const problems = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${DiagnosticSeverity[d.severity]} ${d.code} at ${d.path.join(".")}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    expect(document?.channels().length).toBe(Object.keys(doc.channels).length);
  });

  it("has every catalog message at every version; older versions deprecated and sent by no one", () => {
    const documented = new Set(Object.keys(doc.components.messages).map((k) => typeOf(k)));
    const sent = new Set(Object.values(doc.operations).filter((o) => o.action === "send").flatMap((o) => o.messages.map((m) => m.$ref)).map((ref) => {
      const [, , channel, , key] = ref.split("/");
      return typeOf(doc.channels[channel].messages[key].$ref);
    }));
    for (const def of Object.values(catalog) as MessageDefinition[]) {
      expect(documented, def.type).toContain(def.type);
      expect(sent, `${def.type} is sent by someone`).toContain(def.type);
      for (const old of def.upcasters) {
        expect(documented).toContain(old.type);
        expect(sent).not.toContain(old.type);
        const oldMessages = Object.entries(doc.components.messages).filter(([k]) => typeOf(k) === old.type);
        expect(oldMessages.every(([, m]) => m.deprecated === true)).toBe(true);
      }
    }
  });

  it("lists for each subscription exactly the messages its consumer reads, and gives each command one handler", () => {
    for (const [subscription, names] of Object.entries(commandConsumers)) expect(typesOf(`commands.${subscription}.receive`), subscription).toEqual(typesFor(names));
    for (const [subscription, names] of Object.entries(eventConsumers)) expect(typesOf(`events.${subscription}.receive`), subscription).toEqual(typesFor(names));
    const commandReceivers = Object.keys(doc.operations).filter((id) => id.startsWith("commands.") && id.endsWith(".receive"));
    for (const def of (Object.values(catalog) as MessageDefinition[]).filter((d) => d.kind === "command")) {
      expect(commandReceivers.filter((id) => typesOf(id).includes(def.type)), def.type).toHaveLength(1);
    }
    const [notifyFan] = Object.values(notificationConsumers);
    const eventGridReceivers = Object.keys(doc.operations).filter((id) => id.startsWith("musicfest-events.") && id.endsWith(".receive"));
    expect(eventGridReceivers.map(typesOf)).toContainEqual(typesFor(notifyFan));
  });

  it("puts every event, old versions included, on the Kafka channel that the analytics group reads", () => {
    const events = (Object.values(catalog) as MessageDefinition[]).filter((d) => d.kind === "event").flatMap((d) => [d.type, ...d.upcasters.map((u) => u.type)]);
    expect(typesOf("festival-events.analytics.receive")).toEqual(events.sort());
  });

  it("describes the Service Bus message the relay sends: payload and application properties validate", () => {
    const validate = validator();
    const sbMessage = toServiceBusMessage({ message: placed, channel: "events" });
    expect(validate("/components/messages/servicebus.PurchasePlaced.v2/payload", sbMessage.body)).toEqual([]);
    expect(validate("/components/messages/servicebus.PurchasePlaced.v2/headers", sbMessage.applicationProperties)).toEqual([]);
    // The documented schema is no looser than the catalog's: a v1-shaped body is not a v2 PurchasePlaced.
    const v1Shaped = { ...placed, data: { purchaseId: "p", concertId: "c", fanId: "f", fanEmail: "f@example.com", tickets: 1, totalCents: 1, placedAt: "2026-06-01T10:00:00Z" } };
    expect(validate("/components/messages/servicebus.PurchasePlaced.v2/payload", v1Shaped)).not.toEqual([]);
    expect(validate("/components/messages/kafka.PurchasePlaced.v1/payload", { ...v1Shaped, type: catalog.PurchasePlaced.upcasters[0].type })).toEqual([]);
  });

  it("describes the Kafka record the relay writes: value and headers validate", () => {
    const validate = validator();
    const record = toKafkaMessage({ key: "purchase-6f1c3bd8", event: placed });
    const headers = Object.fromEntries(Object.entries(record.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(validate("/components/messages/kafka.PurchasePlaced.v2/payload", JSON.parse(String(record.value)))).toEqual([]);
    expect(validate("/components/messages/kafka.PurchasePlaced.v2/headers", headers)).toEqual([]);
  });
});
