/**
 * The fans service's command handler, on the `fans` subscription of the `commands` topic: RegisterFan and
 * UpdateFanProfile on stream `fan-<fanId>`, through the same consumer runner as every handler (inbox, optimistic
 * concurrency, events + outbox in one commit). A refused command (an unknown fan, another profile under a
 * registered id) is thrown: Service Bus retries it and dead-letters it after MaxDeliveryCount.
 */
import { type HandlerDeps, runnerFor } from "../commands/handler-deps.js";
import { readMessage } from "../events/catalog.js";
import type { HandlingOutcome } from "../messaging/message-consumer.js";
import { decideFan, type FanCommand, fanCommandNames, type FanCommandName } from "./fan.js";
import { fanStream } from "./fan-stream.js";

export const fansConsumerName = "fans";

export type FanCommandOutcome = HandlingOutcome & { command: FanCommandName; messageId: string };

export async function handleFanCommand(body: unknown, deps: HandlerDeps): Promise<FanCommandOutcome> {
  const { name, message } = readMessage(body, fanCommandNames);
  const command = { name, data: message.data } as FanCommand;
  const { consumer } = runnerFor(deps);
  const outcome = await consumer.handle({
    consumer: fansConsumerName,
    message,
    stream: fanStream,
    id: command.data.fanId,
    decide: (state, { now, version }) => ({ events: decideFan(state, command, now, version) }),
  });
  return { ...outcome, command: name, messageId: message.id };
}
