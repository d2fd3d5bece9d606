/**
 * How a command handler's outcome settles its Service Bus message. A command the domain refuses for good (a
 * DomainError: ConcertNotFound, PurchaseConflict...) or that is not a valid command (InvalidMessageError) is
 * dead-lettered at once, with the error's code as DeadLetterReason and its message as DeadLetterErrorDescription:
 * redelivery cannot change the answer, so spending MaxDeliveryCount invocations on it only adds load and hides the
 * reason behind "MaxDeliveryCountExceeded". Any other failure is abandoned (Service Bus redelivers it); success
 * completes.
 *
 * Settling from the app needs the Service Bus SDK binding (`sdkBinding: true`, `autoCompleteMessages: false`) and
 * the preview package @azure/functions-extensions-servicebus, which talks to the Functions host over gRPC. When that
 * package is absent (or the app setting Commands__deadLetterRefusals is false), the trigger is registered as before:
 * the handler gets the body, a thrown error abandons, and Service Bus dead-letters after MaxDeliveryCount. The
 * package is loaded with require, not imported, so removing it leaves a working app.
 */
import { createRequire } from "node:module";
import { plainSettings } from "../config.js";
import { isDomainError } from "../domain/errors.js";
import { InvalidMessageError } from "../events/catalog.js";

/** The received message as the extension hands it over (the fields this module reads). */
export interface SettledMessage {
  body: unknown;
  messageId?: string | number | Buffer;
  lockToken?: string;
}

/** The extension's settlement client (its own typings pull in its TypeScript sources, so restated here). */
export interface SettlementActions {
  complete(message: SettledMessage): Promise<void>;
  abandon(message: SettledMessage): Promise<void>;
  deadletter(
    message: SettledMessage,
    propertiesToModify?: Uint8Array,
    reason?: string,
    description?: string,
  ): Promise<void>;
}

interface SdkBindingInput {
  messages: SettledMessage | SettledMessage[];
  actions: SettlementActions;
}

/** What the command handler is told about the message besides its body. */
export interface CommandDelivery {
  messageId?: string;
}

export type CommandHandler<C> = (body: unknown, context: C, delivery: CommandDelivery) => Promise<void>;

/** A refusal that no redelivery can change, with the reason and description the dead-letter queue shows. */
export function permanentRefusal(error: unknown): { reason: string; description: string } | undefined {
  if (isDomainError(error)) return { reason: error.code, description: error.message };
  if (error instanceof InvalidMessageError) return { reason: "InvalidMessage", description: error.message };
  return undefined;
}

/** Whether commands settle through the SDK binding: wanted (the setting) and possible (the package is there). */
function extensionLoaded(): boolean {
  const wanted = plainSettings.commandsDeadLetterRefusals;
  if (!wanted.parse(process.env[wanted.name]?.trim() || wanted.default)) return false;
  try {
    // Registers the factory that turns the host's binding data into ServiceBusReceivedMessage + actions.
    createRequire(import.meta.url)("@azure/functions-extensions-servicebus");
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND") return false;
    throw err;
  }
}

/** The body as the trigger without SDK binding would have handed it: JSON text parsed. */
function bodyOf(message: SettledMessage): unknown {
  const body = Buffer.isBuffer(message.body) ? message.body.toString("utf8") : message.body;
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * 0.2.0-preview sends the reason and description as they are into protobuf StringValue fields, which its serializer
 * takes only as { value }: a string fails on the client ("object expected") before any call is made. The typed call
 * goes first, so a fixed extension is used as documented; the wrapped one follows only after that failure.
 */
async function deadLetter(
  actions: SettlementActions,
  message: SettledMessage,
  reason: string,
  description: string,
): Promise<void> {
  try {
    await actions.deadletter(message, undefined, reason, description);
  } catch (err) {
    if (!/serialization failure|object expected/i.test(String((err as Error).message))) throw err;
    const wrap = (text: string) => ({ value: text }) as unknown as string;
    await actions.deadletter(message, undefined, wrap(reason), wrap(description));
  }
}

/**
 * The body of the one message an SDK-bound invocation got ({ messages, actions } from the extension), as the
 * trigger without SDK binding hands it; anything else is returned as it is. For tracing, which wraps every handler.
 */
export function sdkBoundBody(input: unknown): unknown {
  const bound = input as Partial<SdkBindingInput> | null;
  if (typeof bound !== "object" || bound === null || !bound.actions || !bound.messages) return input;
  const messages = Array.isArray(bound.messages) ? bound.messages : [bound.messages];
  return messages.length === 1 ? bodyOf(messages[0]) : messages.map(bodyOf);
}

/** Runs one command and settles its message by the outcome. */
async function settle<C>(
  handle: CommandHandler<C>,
  message: SettledMessage,
  actions: SettlementActions,
  context: C,
): Promise<void> {
  const messageId = message.messageId === undefined ? undefined : String(message.messageId);
  try {
    await handle(bodyOf(message), context, { messageId });
  } catch (err) {
    const refusal = permanentRefusal(err);
    if (refusal) {
      await deadLetter(actions, message, refusal.reason, refusal.description);
      const line = `Command ${messageId} dead-lettered: ${refusal.reason}: ${refusal.description}`;
      (context as { warn?: (m: string) => void }).warn?.(line);
      return;
    }
    // Redelivered at once, as the trigger's own abandon does; the invocation still fails, so it is logged as one.
    await actions.abandon(message).catch(() => undefined);
    throw err;
  }
  await actions.complete(message);
}

export type CommandTriggerOptions<C> =
  | { sdkBinding: true; autoCompleteMessages: false; handler: (input: unknown, context: C) => Promise<void> }
  | { handler: (input: unknown, context: C) => Promise<void> };

/**
 * The handler (and binding options) for a Service Bus command trigger: settled by the app when the extension is
 * there, thrown-to-abandon otherwise. Spread into app.serviceBusTopic / serviceBusQueue options.
 */
export function commandTrigger<C extends { triggerMetadata?: Record<string, unknown> }>(
  handle: CommandHandler<C>,
): CommandTriggerOptions<C> {
  if (!extensionLoaded()) {
    return {
      handler: (body, context) => {
        const messageId = context.triggerMetadata?.messageId;
        return handle(body, context, typeof messageId === "string" ? { messageId } : {});
      },
    };
  }
  return {
    sdkBinding: true,
    autoCompleteMessages: false,
    handler: async (input, context) => {
      const { messages, actions } = input as SdkBindingInput;
      for (const message of Array.isArray(messages) ? messages : [messages]) {
        await settle(handle, message, actions, context);
      }
    },
  };
}
