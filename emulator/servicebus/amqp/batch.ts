/**
 * Microsoft's batch format (message-format 0x80013700): an envelope message whose body is one `data` section per
 * message, each holding a complete encoded message. An empty batch has no body at all.
 */
import { scanSections, SECTION } from "./codec.js";

export const BATCH_MESSAGE_FORMAT = 0x80013700;

export function splitBatch(envelope: Buffer): Buffer[] {
  const spans = scanSections(envelope, (code) => code === SECTION.data);
  const messages: Buffer[] = [];
  for (const span of spans) if (span.code === SECTION.data) messages.push(span.value!.value as Buffer);
  return messages;
}
