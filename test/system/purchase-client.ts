/**
 * What the end-to-end purchase tests do from outside the system: plain HTTP to the API, and reads of the system's
 * tables (mails, the payment ledger, fan notifications, the event store) with the Table Storage SDK.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { TableClient } from "@azure/data-tables";
import { type SystemUnderTest, until } from "./system-under-test.js";
import { FUTURE_START } from "../helpers/future-start.js";

export type Json = Record<string, any>;

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Json;
}

export const fan = (id = `fan-${randomUUID().slice(0, 8)}`) => ({ id, email: `${id}@example.com`, name: "Ana" });

export function concertBody(overrides: Json = {}): Json {
  return {
    concertId: `concert-${randomUUID().slice(0, 8)}`,
    name: "Rock Night",
    venue: "Main Stage",
    startsAt: FUTURE_START,
    capacity: { standard: 100, vip: 10 },
    prices: { standard: 5_000, vip: 20_000 },
    ...overrides,
  };
}

async function rows(table: TableClient, filter: string): Promise<Json[]> {
  const out: Json[] = [];
  try {
    for await (const e of table.listEntities({ queryOptions: { filter } })) out.push(e);
  } catch (err) {
    // Each table is created by the app on its first write.
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return out;
}

const quote = (s: string) => s.replace(/'/g, "''");

export class TicketingClient {
  constructor(private readonly sut: SystemUnderTest) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
    const res = await fetch(`${this.sut.url}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** POST /api/concerts and wait until GET shows it. */
  async scheduleConcert(overrides: Json = {}): Promise<Json> {
    const body = concertBody(overrides);
    const res = await this.request("POST", "/api/concerts", body);
    if (res.status !== 202) throw new Error(`POST /api/concerts answered ${res.status}: ${JSON.stringify(res.body)}`);
    await until(() => this.concert(body.concertId), (c) => c.status === 200);
    return body;
  }

  concert(id: string): Promise<JsonResponse> {
    return this.request("GET", `/api/concerts/${id}`);
  }

  /**
   * The concert's tickets left once its availability read model shows `expected` (it follows the purchases'
   * outcomes eventually); fails with the last value seen when it does not within the timeout.
   */
  async ticketsLeftReaching(id: string, expected: { standard: number; vip: number }, timeoutMs = 15_000): Promise<unknown> {
    const res = await until(() => this.concert(id), (c) => c.status === 200 && isDeepStrictEqual(c.body.ticketsLeft, expected), timeoutMs);
    return res.body.ticketsLeft;
  }

  placePurchase(body: Json, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return this.request("POST", "/api/purchases", body, headers);
  }

  purchase(id: string): Promise<JsonResponse> {
    return this.request("GET", `/api/purchases/${id}`);
  }

  /** Polls the purchase until it is completed or cancelled (404 until the purchases handler has placed it). */
  async outcome(id: string, timeoutMs = 20_000): Promise<Json> {
    const res = await until(() => this.purchase(id), (p) => p.status === 200 && p.body.status !== "pending", timeoutMs);
    return res.body;
  }

  mails(purchaseId: string): Promise<Json[]> {
    return rows(this.sut.table("mails"), `PartitionKey eq '${quote(purchaseId)}' and RowKey ge 'mail:' and RowKey lt 'mail;'`);
  }

  ledger(purchaseId: string): Promise<Json[]> {
    return rows(this.sut.table("payments"), `PartitionKey eq '${quote(purchaseId)}'`);
  }

  notifications(purchaseId: string): Promise<Json[]> {
    return rows(this.sut.table("notifications"), `PartitionKey eq '${quote(purchaseId)}'`);
  }

  /** The events of a stream in the event store (table `events`, rows `e:<version>`), as stored CloudEvents. */
  async streamEvents(streamId: string): Promise<Json[]> {
    const found = await rows(this.sut.table("events"), `PartitionKey eq '${quote(streamId)}' and RowKey ge 'e:' and RowKey lt 'e;'`);
    return found;
  }

  /** Every row of the event store whose partition is one of the purchase's streams (nothing for a refused request). */
  async rowsOfPurchase(purchaseId: string): Promise<Json[]> {
    const streams = ["purchase-", "purchase-process-", "payment-", "ticket-issue-"].map((p) => `PartitionKey eq '${quote(p + purchaseId)}'`);
    return rows(this.sut.table("events"), streams.join(" or "));
  }
}
