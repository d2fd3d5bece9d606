/**
 * How the durable mode stores a message: the AMQP bytes as kept (header, message annotations and the bare message
 * exactly as received), read back with the same parser a transfer goes through.
 */
import type { PayloadCodec } from "../durable/durable-storage.js";
import type { MessagePayload } from "../model/message-payload.js";
import { AmqpPayload } from "./amqp-payload.js";

export const amqpPayloadCodec: PayloadCodec = {
  encode: (payload: MessagePayload) => (payload as AmqpPayload).encode(0, [], undefined),
  decode: (bytes: Buffer) => AmqpPayload.parse(bytes).ownBytes(),
};
