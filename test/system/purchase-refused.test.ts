/**
 * A purchase command the domain refuses for good, in the whole system: a PlacePurchase for a concert that does not
 * exist (the API would answer 404; this one reaches the bus directly, as a replayed or hand-sent command would) is
 * refused with ConcertNotFound. The purchases function settles it itself through the Service Bus SDK binding: one
 * invocation, and the command is in the dead-letter queue at once with the domain's code as its reason and the
 * domain's message as its description, as the operations endpoint lists it.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../src/events/catalog.js";
import { sendWith } from "../helpers/servicebus.js";
import { busMessage } from "./services-harness.js";
import { startSystemUnderTest, type SystemUnderTest, until } from "./system-under-test.js";

const KEY = "refused-system-test-key";
const entity = "entity=commands/subscriptions/purchases";
let sut: SystemUnderTest;
let client: ServiceBusClient;

beforeAll(async () => {
  sut = await startSystemUnderTest({ settings: { "host.function.default": KEY } });
  client = new ServiceBusClient(sut.system.emulator.serviceBus.connectionString, { retryOptions: { maxRetries: 0 } });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await sut?.close();
});

async function deadLetters(): Promise<{ count: number; items: Record<string, unknown>[] }> {
  const response = await fetch(`${sut.url}/api/ops/dead-letters?${entity}`, { headers: { "x-functions-key": KEY } });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ count: number; items: Record<string, unknown>[] }>;
}

describe("a purchase the domain refuses", () => {
  it("is handled once and dead-lettered at once with the domain's reason", async () => {
    const purchaseId = "refused-purchase-1";
    const place = createMessage(
      "PlacePurchase",
      { purchaseId, concertId: "no-such-concert", fan: { id: "fan-r1", email: "r1@example.com" }, tier: "standard",
        quantity: 1 },
      { id: `${purchaseId}:PlacePurchase`, correlationId: `corr-${purchaseId}` },
    );
    await sendWith(client, "commands", busMessage(place));

    const listed = await until(deadLetters, (body) => body.count === 1, 30_000);
    expect(listed.items[0]).toMatchObject({
      messageId: place.id,
      reason: "ConcertNotFound",
      description: "Concert no-such-concert does not exist.",
      body: { type: place.type, data: { purchaseId } },
    });
    // One invocation for the one delivery: no redelivery spent on a refusal.
    const mine = (r: { functionName: string; correlationId: string }) =>
      r.functionName === "purchases" && r.correlationId === `corr-${purchaseId}`;
    const handled = sut.invocations.filter(mine);
    expect(handled).toHaveLength(1);
  });
});
