/**
 * The `purchases` subscription of the `commands` topic: PlacePurchase, CompletePurchase and CancelPurchase on
 * stream `purchase-<purchaseId>`. PlacePurchase reads the concert's stream for the tier's price (read only: the
 * purchase does not reserve; the purchase process asks the concert for that); prices never change once a concert
 * is scheduled, so they are kept per store after the first read instead of loading the concert, whose snapshot
 * grows with every purchase, for each purchase. PurchaseCompleted and
 * PurchaseCancelled are catalog `notify` events: the relay also pushes them to the Event Grid topic.
 * Refused commands and foreign messages are thrown, as in the concerts handler.
 */
import type { ConcertState } from "../domain/concert.js";
import { decidePurchase, type PurchaseCommand, purchaseCommandNames, type PurchaseCommandName } from "../domain/purchase.js";
import { readMessage } from "../events/catalog.js";
import type { CommandOutcome } from "./concerts-handler.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { StreamRepository } from "../eventstore/stream-repository.js";
import { type HandlerDeps, runnerFor } from "./handler-deps.js";
import { concertStream, purchaseStream } from "./streams.js";

export const purchasesConsumerName = "purchases";

export async function handlePurchaseCommand(body: unknown, deps: HandlerDeps): Promise<CommandOutcome<PurchaseCommandName>> {
  const { name, message } = readMessage(body, purchaseCommandNames);
  const command = { name, data: message.data } as PurchaseCommand;
  const { consumer, repository } = runnerFor(deps);
  const concert = command.name === "PlacePurchase" ? await pricesOf(repository, command.data.concertId) : undefined;
  const outcome = await consumer.handle({
    consumer: purchasesConsumerName,
    message,
    stream: purchaseStream,
    id: command.data.purchaseId,
    decide: (state, { now }) => ({ events: decidePurchase(state, command, now, concert) }),
  });
  return { ...outcome, command: name, messageId: message.id };
}

const knownPrices = new WeakMap<EventStore, Map<string, Pick<ConcertState, "prices">>>();

async function pricesOf(repository: StreamRepository, concertId: string): Promise<Pick<ConcertState, "prices"> | undefined> {
  let byConcert = knownPrices.get(repository.store);
  if (!byConcert) knownPrices.set(repository.store, (byConcert = new Map()));
  const known = byConcert.get(concertId);
  if (known) return known;
  const concert = (await repository.load(concertStream, concertId)).state;
  if (!concert) return undefined; // not cached: the concert may be scheduled later
  const prices = { prices: { ...concert.prices } };
  byConcert.set(concertId, prices);
  return prices;
}
