/**
 * The fans service in the running system, driven from outside (HTTP, Table Storage reads, one message sent with the
 * Service Bus SDK):
 *   event notification: POST /api/fans -> RegisterFan -> FanRegistered { fanId } (thin) -> the e-mail service calls
 *   GET /api/fans/{id} back -> a welcome mail with the fan's name;
 *   event-carried state transfer: PUT /api/fans/{id} -> FanProfileUpdated (the whole profile) -> the ticketing side's
 *   replica (Table fanreplica) -> a purchase by fanId carries the new details, in its events and its mail.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableEventStore } from "../../src/eventstore/table-event-store.js";
import { sendWith } from "../helpers/servicebus.js";
import { type Json, TicketingClient } from "./purchase-client.js";
import { busMessage } from "./services-harness.js";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
let api: TicketingClient;
beforeAll(async () => {
  sut = await startSystemUnderTest();
  api = new TicketingClient(sut);
}, 60_000);
afterAll(() => sut?.close());

async function rows(table: string, partition: string): Promise<Json[]> {
  const out: Json[] = [];
  try {
    for await (const e of sut.table(table).listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) out.push(e);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err; // created on the first write
  }
  return out;
}
const welcomeMails = async (fanId: string) => (await rows("mails", `fan-${fanId}`)).filter((r) => String(r.rowKey).startsWith("mail:"));
/** The stored CloudEvents of a stream, read with the event store's own reader. */
const streamEvents = async (streamId: string) => (await new TableEventStore(sut.table("events")).readStream(streamId)).events.map((e) => e.event as { id: string; data: Json });
const replicaOf = async (fanId: string) => (await rows("fanreplica", fanId))[0];

describe("event notification: a thin FanRegistered", () => {
  it("carries only the fan id; the e-mail service calls the fans API back and writes a welcome mail with the fan's name", async () => {
    const res = await api.request("POST", "/api/fans", { fanId: "ada-lovelace", email: "ada@example.com", name: "Ada Lovelace" }, { "x-correlation-id": "corr-fan-ada" });
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe("/api/fans/ada-lovelace");

    const [mail] = await until(() => welcomeMails("ada-lovelace"), (m) => m.length > 0);
    expect(mail).toMatchObject({ to: "ada@example.com", fanId: "ada-lovelace", subject: "Welcome to Music Fest", correlationId: "corr-fan-ada", eventType: "MusicFest.Fans.FanRegistered.v1" });
    expect(mail.body).toMatch(/^Hello Ada Lovelace,/);

    // The event itself had nothing but the id: the name came from the callback.
    const [registered] = await streamEvents("fan-ada-lovelace");
    expect(registered.data).toEqual({ fanId: "ada-lovelace" });
    const callbacks = sut.invocations.filter((r) => r.functionName === "fans-get" && r.correlationId === "corr-fan-ada");
    expect(callbacks.map((r) => r.outcome)).toEqual(["succeeded"]);
    const emails = sut.invocations.filter((r) => r.functionName === "email" && r.correlationId === "corr-fan-ada");
    expect(emails.map((r) => r.outcome)).toEqual(["succeeded"]);
    expect((await api.request("GET", "/api/fans/ada-lovelace")).body).toMatchObject({ fanId: "ada-lovelace", email: "ada@example.com", name: "Ada Lovelace", version: 2 });
  });
});

describe("event-carried state transfer: a fat FanProfileUpdated", () => {
  it("keeps the ticketing side's replica current, and a later purchase by fanId carries the new e-mail", async () => {
    expect((await api.request("POST", "/api/fans", { fanId: "grace", email: "grace@old.example.com", name: "Grace" })).status).toBe(202);
    await until(() => replicaOf("grace"), (r) => r?.streamVersion === 2);
    const put = await api.request("PUT", "/api/fans/grace", { email: "grace@new.example.com", name: "Grace Hopper", city: "Arlington" });
    expect(put.status).toBe(202);
    const replica = await until(() => replicaOf("grace"), (r) => r?.streamVersion === 3);
    expect(replica).toMatchObject({ email: "grace@new.example.com", name: "Grace Hopper", city: "Arlington", eventId: "fan-grace:3" });

    const concert = await api.scheduleConcert();
    const placed = await api.placePurchase({ concertId: concert.concertId, fanId: "grace", tier: "standard", quantity: 1 });
    expect(placed.status).toBe(202);
    const done = await api.outcome(placed.body.purchaseId);
    expect(done).toMatchObject({ status: "completed", fan: { id: "grace", email: "grace@new.example.com", name: "Grace Hopper" } });
    const events = await streamEvents(`purchase-${placed.body.purchaseId}`);
    expect(events.map((e) => e.data.fan.email)).toEqual(["grace@new.example.com", "grace@new.example.com"]);
    const [mail] = await until(() => api.mails(placed.body.purchaseId), (m) => m.length > 0);
    expect(mail).toMatchObject({ to: "grace@new.example.com" });
    expect(mail.body).toMatch(/^Hello Grace Hopper,/);
  });

  it("ignores an older FanProfileUpdated delivered late (the replica is ordered by the fan's stream version)", async () => {
    expect((await api.request("POST", "/api/fans", { fanId: "linus", email: "linus@old.example.com", name: "Linus" })).status).toBe(202);
    await until(() => replicaOf("linus"), (r) => r?.streamVersion === 2);
    expect((await api.request("PUT", "/api/fans/linus", { email: "linus@new.example.com", name: "Linus" })).status).toBe(202);
    await until(() => replicaOf("linus"), (r) => r?.streamVersion === 3);

    // Version 2 again, as a late redelivery would bring it (a new MessageId, so duplicate detection lets it through).
    const [, stale] = await streamEvents("fan-linus");
    expect(stale.data).toMatchObject({ streamVersion: 2, email: "linus@old.example.com" });
    const before = sut.invocations.length;
    const client = new ServiceBusClient(sut.system.emulator.serviceBus.connectionString);
    try {
      await sendWith(client, "events", busMessage(stale as never, `${stale.id}:late`));
    } finally {
      await client.close();
    }
    const handled = await sut.invocation("fan-replica", before);
    expect(handled.outcome).toBe("succeeded");
    expect(await replicaOf("linus")).toMatchObject({ streamVersion: 3, email: "linus@new.example.com" });
  });

  it("refuses a purchase for a fan id the ticketing side does not know (404 FanNotFound)", async () => {
    const concert = await api.scheduleConcert();
    const res = await api.placePurchase({ concertId: concert.concertId, fanId: "nobody", tier: "standard", quantity: 1 });
    expect([res.status, res.body.code]).toEqual([404, "FanNotFound"]);
  });
});
