/**
 * The `purchases` subscription of the `commands` topic: PlacePurchase, CompletePurchase and CancelPurchase on
 * stream `purchase-<purchaseId>`. PlacePurchase reads the concert's stream for the tier's price (read only: the
 * purchase does not reserve; the purchase process asks the concert for that). PurchaseCompleted and
 * PurchaseCancelled are catalog `notify` events: the relay also pushes them to the Event Grid topic.
 * Refused commands and foreign messages are thrown, as in the concerts handler.
 */
import { type Concert } from "../domain/concert.js";
import { decidePurchase, type PurchaseCommand, purchaseCommandNames, type PurchaseCommandName } from "../domain/purchase.js";
import { readMessage } from "../events/catalog.js";
import type { CommandOutcome } from "./concerts-handler.js";
import { type HandlerDeps, runnerFor } from "./handler-deps.js";
import { concertStream, purchaseStream } from "./streams.js";

export const purchasesConsumerName = "purchases";

export async function handlePurchaseCommand(body: unknown, deps: HandlerDeps): Promise<CommandOutcome<PurchaseCommandName>> {
  const { name, message } = readMessage(body, purchaseCommandNames);
  const command = { name, data: message.data } as PurchaseCommand;
  const { consumer, repository } = runnerFor(deps);
  const concert: Concert = command.name === "PlacePurchase" ? (await repository.load(concertStream, command.data.concertId)).state : undefined;
  const outcome = await consumer.handle({
    consumer: purchasesConsumerName,
    message,
    stream: purchaseStream,
    id: command.data.purchaseId,
    decide: (state, { now }) => ({ events: decidePurchase(state, command, now, concert) }),
  });
  return { ...outcome, command: name, messageId: message.id };
}
