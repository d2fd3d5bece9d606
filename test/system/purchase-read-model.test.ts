/**
 * The purchases read model against Table Storage (Azurite): outcomes applied through instances that remember the
 * versions they wrote, including a stale one, lose nothing.
 */
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evolve, type Outcome, requested } from "../../src/domain/purchase.js";
import { PurchaseReadModel } from "../../src/projections/purchase-read-model.js";
import { LazyTable } from "../../src/storage/table-client.js";
import { type AzuriteInstance, startAzurite } from "../helpers/azurite.js";

let azurite: AzuriteInstance;
let table: string;
const at = new Date("2026-07-01T18:00:00Z");

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.close());

let n = 0;
function model(): PurchaseReadModel {
  return new PurchaseReadModel(new LazyTable(TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true })));
}
function purchase() {
  const purchaseId = `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
  const p = requested({ purchaseId, concertId: "rock-night", fan: { id: "f-1", email: "f@example.com" }, tickets: 2, paymentToken: "tok_visa", requestedAt: at.toISOString() }, "corr-1");
  const authorized: Outcome = { name: "PaymentAuthorized", data: { purchaseId, authorizationId: "auth_1", amountCents: 10_000 } };
  const reserved: Outcome = { name: "TicketsReserved", data: { purchaseId, ticketIds: ["T1", "T2"] } };
  return { p, authorized, reserved };
}

describe("purchase read model", () => {
  beforeAll(() => {
    table = `purchases${Date.now()}`;
  });

  it("applies both outcomes of a purchase sent at the same time", async () => {
    const a = model();
    const { p, authorized, reserved } = purchase();
    await a.add(p);
    await Promise.all([a.update(p.purchaseId, (c) => evolve(c, authorized, at)), a.update(p.purchaseId, (c) => evolve(c, reserved, at))]);
    expect(await model().get(p.purchaseId)).toMatchObject({ status: "completed", payment: { status: "authorized" }, reservation: { ticketIds: ["T1", "T2"] } });
  });

  it("applies an outcome on top of another instance's write when its remembered version is stale", async () => {
    const a = model();
    const b = model();
    const { p, authorized, reserved } = purchase();
    await a.add(p);
    await b.update(p.purchaseId, (c) => evolve(c, authorized, at));
    const { before, after } = await a.update(p.purchaseId, (c) => evolve(c, reserved, at));
    expect(before).toMatchObject({ status: "pending", payment: { status: "authorized" } });
    expect(after).toMatchObject({ status: "completed" });
    expect(await model().get(p.purchaseId)).toMatchObject({ status: "completed" });
  });

  it("answers a redelivered outcome from the stored version, not from a stale remembered one", async () => {
    const a = model();
    const b = model();
    const { p, authorized, reserved } = purchase();
    await a.add(p);
    await a.update(p.purchaseId, (c) => evolve(c, authorized, at));
    await b.update(p.purchaseId, (c) => evolve(c, reserved, at));
    // `a` remembers the purchase with the payment only; the stored one is completed.
    const { after } = await a.update(p.purchaseId, (c) => evolve(c, authorized, at));
    expect(after.status).toBe("completed");
  });
});
