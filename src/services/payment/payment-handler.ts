/**
 * The `payments` subscription of the `commands` topic: CapturePayment and RefundPayment, through the simulated
 * gateway, to PaymentCaptured / PaymentDeclined / PaymentRefunded on stream `payment-<purchaseId>`.
 *
 * Exactly once in effect, from two guards: the gateway is idempotent on the purchase id (its ledger answers a
 * retried charge with the first result), and the runner's inbox and the stream's final outcome keep a redelivered
 * or duplicated command from appending a second event. The gateway is not asked again once the stream has the
 * outcome. A transient gateway failure is thrown: Service Bus redelivers the command (and dead-letters it after
 * MaxDeliveryCount); so is a refused request (PaymentRejectedError) or a body that is not a payment command.
 */
import { type CatalogMessage, readMessage } from "../../events/catalog.js";
import { type HandlerDeps, runnerFor } from "../../commands/handler-deps.js";
import type { HandlingOutcome } from "../../messaging/message-consumer.js";
import { alreadyDecided, decideCapture, decideRefund, type PaymentCommandName, paymentCommandNames, paymentStream } from "./payment-stream.js";
import type { ChargeResult, RefundResult, SimulatedPaymentGateway } from "./simulated-payment-gateway.js";

export const paymentsConsumerName = "payments";

export interface PaymentHandlerDeps extends HandlerDeps {
  gateway: SimulatedPaymentGateway;
}

export type PaymentOutcome = HandlingOutcome & { command: PaymentCommandName; messageId: string };

export async function handlePaymentCommand(body: unknown, deps: PaymentHandlerDeps): Promise<PaymentOutcome> {
  const { name, message } = readMessage(body, paymentCommandNames);
  const { repository, consumer } = runnerFor(deps);
  const purchaseId = message.data.purchaseId;
  // With the inbox check: the runner decides from this read instead of reading the stream again.
  const inbox = { consumer: paymentsConsumerName, messageId: message.id };
  const before = await repository.load(paymentStream, purchaseId, { inbox });
  let outcome: HandlingOutcome;
  if (name === "CapturePayment") {
    const data = (message as CatalogMessage<"CapturePayment">).data;
    const result: ChargeResult | undefined = alreadyDecided(before.state, name) ? undefined : await deps.gateway.charge(data);
    outcome = await consumer.handle({ consumer: paymentsConsumerName, message, stream: paymentStream, id: purchaseId, loaded: before, decide: (state) => ({ events: decideCapture(state, data, result) }) });
  } else {
    const data = (message as CatalogMessage<"RefundPayment">).data;
    const result: RefundResult | undefined = alreadyDecided(before.state, name) ? undefined : await deps.gateway.refund(data);
    outcome = await consumer.handle({ consumer: paymentsConsumerName, message, stream: paymentStream, id: purchaseId, loaded: before, decide: (state) => ({ events: decideRefund(state, data, result) }) });
  }
  return { ...outcome, command: name, messageId: message.id };
}
