/**
 * Microsoft's batch format (message-format 0x80013700): an envelope message whose body is one `data` section per
 * message, each holding a complete encoded message. An empty batch has no body at all.
 */
import { AmqpPayload } from "./amqp-payload.js";
import { scanSections, SECTION } from "./codec.js";
import { valueEnd } from "./message-scan.js";

export const BATCH_MESSAGE_FORMAT = 0x80013700;

export function splitBatch(envelope: Buffer): Buffer[] {
  const spans = scanSections(envelope, (code) => code === SECTION.data);
  const messages: Buffer[] = [];
  for (const span of spans) if (span.code === SECTION.data) messages.push(span.value!.value as Buffer);
  return messages;
}

/**
 * The messages of a transfer as the store keeps them (AmqpPayload.received): the transfer itself for message-format
 * 0, or each message of a batch envelope. The envelope's sections are read from their headers in place; one in an
 * unusual encoding sends the whole envelope through splitBatch, which also reports malformed input.
 */
export function receivedPayloads(bytes: Buffer, batch: boolean): AmqpPayload[] {
  if (!batch) return [AmqpPayload.received(bytes, 0, bytes.length)];
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 3 > bytes.length || bytes[at] !== 0x00 || bytes[at + 1] !== 0x53) return receivedParts(bytes);
    const value = at + 3;
    const next = valueEnd(bytes, value, bytes.length);
    if (next < 0) return receivedParts(bytes);
    if (bytes[at + 2] === SECTION.data) {
      const code = bytes[value];
      if (code !== 0xa0 && code !== 0xb0) return receivedParts(bytes);
      starts.push(value + (code === 0xa0 ? 2 : 5));
      ends.push(next);
    }
    at = next;
  }
  const payloads: AmqpPayload[] = new Array(starts.length);
  for (let i = 0; i < starts.length; i++) payloads[i] = AmqpPayload.received(bytes, starts[i], ends[i]);
  return payloads;
}

function receivedParts(envelope: Buffer): AmqpPayload[] {
  return splitBatch(envelope).map((part) => AmqpPayload.received(part, 0, part.length));
}
