/**
 * The first slice end to end, driven only from outside: plain HTTP requests to the host, Table Storage read with
 * the SDK. POST /api/purchases -> TicketPurchaseRequested on the purchases topic -> payment and ticketing-provider
 * consumers -> purchase process -> PurchaseCompleted on Event Grid -> notify-fan, and GET shows the status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SystemUnderTest, startSystemUnderTest, until } from "./system-under-test.js";

let sut: SystemUnderTest;
beforeAll(async () => {
  sut = await startSystemUnderTest();
}, 60_000);
afterAll(() => sut?.close());

const fan = { id: "fan-42", email: "ana@example.com", name: "Ana" };

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sut.url}/api/purchases`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function getPurchase(id: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${sut.url}/api/purchases/${id}`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function notificationsOf(purchaseId: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  try {
    for await (const e of sut.table("notifications").listEntities({ queryOptions: { filter: `PartitionKey eq '${purchaseId}'` } })) out.push(e);
  } catch (err) {
    // The notification function creates its table on its first run.
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return out;
}

describe("buying tickets", () => {
  it("accepts a purchase, completes it through both consumers, and notifies the fan through Event Grid", async () => {
    const res = await post({ concertId: "rock-night-2026", fan, tickets: 2 }, { "x-correlation-id": "corr-slice-1" });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toBe("corr-slice-1");
    const accepted = (await res.json()) as { id: string; status: string; location: string };
    expect(accepted.status).toBe("pending");
    expect(res.headers.get("location")).toBe(`/api/purchases/${accepted.id}`);

    const done = await until(() => getPurchase(accepted.id), (p) => p.body.status !== "pending");
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: accepted.id,
      concertId: "rock-night-2026",
      fan,
      tickets: 2,
      status: "completed",
      payment: { status: "authorized", amountCents: 10_000, authorizationId: expect.stringMatching(/^auth_/) },
      reservation: { ticketIds: [expect.stringMatching(/^TKT-/), expect.stringMatching(/^TKT-/)] },
    });

    const [notification] = await until(() => notificationsOf(accepted.id), (n) => n.length > 0);
    expect(notification).toMatchObject({ kind: "PurchaseCompleted", to: fan.email, correlationId: "corr-slice-1", eventId: `${accepted.id}.PurchaseCompleted` });
    expect(notification.body).toContain(done.body.reservation.ticketIds[0]);

    // Every function of the path ran, and none failed.
    const ran = new Set(sut.invocations.map((r) => r.functionName));
    for (const fn of ["purchases-create", "payment", "ticketing-provider", "purchase-process", "notify-fan", "purchases-get"]) expect(ran).toContain(fn);
    expect(sut.invocations.filter((r) => r.outcome === "failed")).toEqual([]);
  });

  it("declines a purchase whose payment is declined, and tells the fan", async () => {
    const processRuns = () => sut.invocations.filter((r) => r.functionName === "purchase-process").length;
    const before = processRuns();
    const res = await post({ concertId: "jazz-evening", fan: { id: "fan-7", email: "bo@example.com" }, tickets: 1, paymentToken: "tok_chargeDeclined" });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const declined = await until(() => getPurchase(id), (p) => p.body.status !== "pending");
    expect(declined.body).toMatchObject({ status: "declined", payment: { status: "declined", reason: "card_declined" } });
    const notifications = await until(() => notificationsOf(id), (n) => n.length > 0);
    expect(notifications.map((n) => n.kind)).toEqual(["PurchaseDeclined"]);
    // The late TicketsReserved outcome changes nothing: still declined, still one notification.
    await until(async () => processRuns(), (n) => n >= before + 2);
    expect((await getPurchase(id)).body.status).toBe("declined");
    expect((await notificationsOf(id)).map((n) => n.kind)).toEqual(["PurchaseDeclined"]);
  });

  it("keeps the purchase in Table Storage, where any process can read it", async () => {
    const { id } = (await (await post({ concertId: "folk-day", fan, tickets: 1 })).json()) as { id: string };
    const entity = await until(
      () => sut.table("purchases").getEntity<{ Status: string; Document: string }>(id, "purchase"),
      (e) => e.Status === "completed",
    );
    expect(JSON.parse(entity.Document)).toMatchObject({ purchaseId: id, concertId: "folk-day", status: "completed" });
  });
});

describe("bad requests", () => {
  it("answers 400 problem+json naming every invalid field", async () => {
    const res = await post({ concertId: "no spaces!", fan: { email: "not-an-email" }, tickets: 0, seat: "A1" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; title: string; errors: { name: string; pointer: string; detail: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.name).sort()).toEqual(["concertId", "fan.email", "fan.id", "seat", "tickets"]);
    expect(problem.errors.find((e) => e.name === "fan.email")).toMatchObject({ pointer: "#/fan/email", detail: "must be an e-mail address" });
    expect(problem.errors.find((e) => e.name === "fan.id")?.detail).toBe("is required");
    expect(problem.errors.find((e) => e.name === "seat")?.detail).toBe("is not a known field");
  });

  it("answers 400 for a body that is not JSON, and for too many tickets", async () => {
    const broken = await post("{ not json");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errors: { name: string }[] }).errors[0].name).toBe("");

    const many = await post({ concertId: "rock-night-2026", fan, tickets: 9 });
    expect(many.status).toBe(400);
    expect(((await many.json()) as { errors: { name: string; detail: string }[] }).errors).toEqual([expect.objectContaining({ name: "tickets", detail: "must be at most 8" })]);
  });

  it("answers 415 for a body that is not sent as JSON", async () => {
    const res = await fetch(`${sut.url}/api/purchases`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ concertId: "x", fan, tickets: 1 }) });
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("answers 413 for a huge body, before parsing it", async () => {
    const res = await post({ concertId: "rock-night-2026", fan: { ...fan, name: "x".repeat(1024 * 1024) }, tickets: 1 });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { status: number }).status).toBe(413);
  });

  it("answers 404 problem+json for an unknown purchase", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-purchase-id"]) {
      const res = await getPurchase(id);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, title: "Not Found", detail: `There is no purchase ${id}.` });
    }
  });
});
