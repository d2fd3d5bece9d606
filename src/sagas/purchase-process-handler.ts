/**
 * The purchase process on the session-enabled `purchase-process` subscription of the `events` topic (session id =
 * purchase id: one purchase's messages arrive one at a time, in order). Each message is decided against the
 * process's stream; the commands and the scheduled timeout go out through the outbox in the same commit as the
 * recorded message, and the inbox makes a redelivered message a no-op. The process's own events are its log, not
 * news for anyone else: they are not published.
 */
import { readMessage } from "../events/catalog.js";
import type { HandlingOutcome } from "../messaging/message-consumer.js";
import { type HandlerDeps, runnerFor } from "../commands/handler-deps.js";
import { decidePurchaseProcess, purchaseProcessMessageNames, type PurchaseProcessMessageName, type PurchaseProcessSettings } from "./purchase-process.js";
import { purchaseProcessStream } from "./purchase-process-stream.js";

export const purchaseProcessConsumerName = "purchase-process";

export interface PurchaseProcessDeps extends HandlerDeps {
  settings: PurchaseProcessSettings;
}

export type PurchaseProcessOutcome = HandlingOutcome & { handled: PurchaseProcessMessageName; messageId: string };

export async function handlePurchaseProcessMessage(body: unknown, deps: PurchaseProcessDeps): Promise<PurchaseProcessOutcome> {
  const { name, message } = readMessage(body, purchaseProcessMessageNames);
  const { consumer } = runnerFor(deps);
  const outcome = await consumer.handle({
    consumer: purchaseProcessConsumerName,
    message,
    stream: purchaseProcessStream,
    id: message.data.purchaseId,
    decide: (state, { now }) => decidePurchaseProcess(state, message, now, deps.settings),
    publishEvents: false,
  });
  return { ...outcome, handled: name, messageId: message.id };
}
