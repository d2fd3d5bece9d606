/**
 * The stream's records as the sales fold reads them: the record value is the CloudEvent (structured mode, as the
 * outbox relay writes it). Only PurchaseCompleted and PurchaseCancelled matter here; every other domain event is
 * passed over. A value that is not a CloudEvent of the catalog is an InvalidMessageError.
 */
import { InvalidMessageError, messageNameOf, readMessage } from "../events/catalog.js";
import type { SalesEvent } from "./sales-per-minute.js";

function parse(value: Buffer | string | object): unknown {
  if (typeof value === "object" && !Buffer.isBuffer(value)) return value;
  try {
    return JSON.parse(value.toString());
  } catch {
    throw new InvalidMessageError("the record value is not JSON");
  }
}

/** The sales event a record carries, or undefined for the stream's other events. */
export function salesEventOf(value: Buffer | string | object | null): SalesEvent | undefined {
  if (value === null) throw new InvalidMessageError("the record has no value");
  const raw = parse(value);
  const type = (raw as { type?: unknown } | null)?.type;
  const name = typeof type === "string" ? messageNameOf(type) : undefined;
  if (name !== "PurchaseCompleted" && name !== "PurchaseCancelled") {
    if (typeof type !== "string") throw new InvalidMessageError("the record value is not a CloudEvent (no type)");
    return undefined;
  }
  if (name === "PurchaseCompleted") {
    const { message } = readMessage(raw, ["PurchaseCompleted"]);
    const d = message.data;
    return { kind: "completed", eventId: message.id, concertId: d.concertId, purchaseId: d.purchaseId, tier: d.tier, quantity: d.quantity, totalCents: d.totalCents, at: d.completedAt };
  }
  const { message } = readMessage(raw, ["PurchaseCancelled"]);
  const d = message.data;
  return { kind: "cancelled", eventId: message.id, concertId: d.concertId, purchaseId: d.purchaseId, tier: d.tier, quantity: d.quantity, at: d.cancelledAt };
}
