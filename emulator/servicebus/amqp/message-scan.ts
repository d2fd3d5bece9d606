/**
 * The layout of an encoded message read from its section headers alone, for the encodings senders use (every
 * section described by a small-ulong code, values whose size sits in their constructor). It finds where the bare
 * message and its properties and application-properties lie without building a value, a span object or a Buffer
 * view per section: on the send path that cost more than the rest of storing a message. Anything else answers
 * false, and the caller takes the general parser (codec.ts scanSections), which also reports malformed input.
 */
import { SECTION } from "./codec.js";

/** Absolute offsets into the scanned buffer; -1 where a section is absent. Refilled by each scanMessage() call. */
export interface MessageLayout {
  /** The header section's value (a list), when the message has one. */
  headerValue: number;
  headerEnd: number;
  /** The message-annotations section's value (a map) when it has entries; -1 when absent or empty. */
  annotationsValue: number;
  annotationsEnd: number;
  /** properties + application-properties + body + footer: one contiguous range. */
  bareStart: number;
  bareEnd: number;
  propsStart: number;
  propsEnd: number;
  appStart: number;
  appEnd: number;
}

export function emptyLayout(): MessageLayout {
  return { headerValue: -1, headerEnd: -1, annotationsValue: -1, annotationsEnd: -1, bareStart: -1, bareEnd: -1, propsStart: -1, propsEnd: -1, appStart: -1, appEnd: -1 };
}

const DESCRIBED = 0x00;
const SMALL_ULONG = 0x53;
const NULL = 0x40;
const LIST0 = 0x45;

/**
 * Where the value starting at `at` ends, for the constructors this scan knows (null, list0, and the compound and
 * variable-width types with a 1- or 4-byte size); -1 for any other constructor or a size past `end`.
 */
export function valueEnd(buffer: Buffer, at: number, end: number): number {
  if (at >= end) return -1;
  let next: number;
  switch (buffer[at]) {
    case NULL:
    case LIST0:
      next = at + 1;
      break;
    case 0xa0: // vbin8
    case 0xa1: // str8
    case 0xa3: // sym8
    case 0xc0: // list8
    case 0xc1: // map8
      if (at + 2 > end) return -1;
      next = at + 2 + buffer[at + 1];
      break;
    case 0xb0: // vbin32
    case 0xb1: // str32
    case 0xb3: // sym32
    case 0xd0: // list32
    case 0xd1: // map32
      if (at + 5 > end) return -1;
      next = at + 5 + buffer.readUInt32BE(at + 1);
      break;
    default:
      return -1;
  }
  return next <= end ? next : -1;
}

/** Whether the map at `at` (map8 or map32, as valueEnd accepted it) has no entries. */
function isEmptyMap(buffer: Buffer, at: number, end: number): boolean {
  const code = buffer[at];
  if (code === 0xc1) return at + 2 < end && buffer[at + 2] === 0;
  if (code === 0xd1) return at + 9 <= end && buffer.readUInt32BE(at + 5) === 0;
  return false;
}

/**
 * Fills `layout` for the message in [start, end) of `buffer`; false when a section is not in the usual encodings,
 * repeats, or the bare sections are not contiguous (the general parser handles those).
 */
export function scanMessage(buffer: Buffer, start: number, end: number, layout: MessageLayout): boolean {
  layout.headerValue = layout.headerEnd = layout.annotationsValue = layout.annotationsEnd = -1;
  layout.bareStart = layout.bareEnd = layout.propsStart = layout.propsEnd = layout.appStart = layout.appEnd = -1;
  let seenHeader = false;
  let seenAnnotations = false;
  let seenDeliveryAnnotations = false;
  let at = start;
  while (at < end) {
    if (at + 3 > end || buffer[at] !== DESCRIBED || buffer[at + 1] !== SMALL_ULONG) return false;
    const code = buffer[at + 2];
    const value = at + 3;
    const next = valueEnd(buffer, value, end);
    if (next < 0) return false;
    switch (code) {
      case SECTION.header:
        if (seenHeader || layout.bareStart >= 0) return false;
        seenHeader = true;
        layout.headerValue = value;
        layout.headerEnd = next;
        break;
      case SECTION.deliveryAnnotations:
        if (seenDeliveryAnnotations || layout.bareStart >= 0) return false;
        seenDeliveryAnnotations = true;
        break;
      case SECTION.messageAnnotations:
        if (seenAnnotations || layout.bareStart >= 0) return false;
        seenAnnotations = true;
        if (buffer[value] !== NULL && !isEmptyMap(buffer, value, next)) {
          layout.annotationsValue = value;
          layout.annotationsEnd = next;
        }
        break;
      case SECTION.properties:
      case SECTION.applicationProperties:
      case SECTION.data:
      case SECTION.sequence:
      case SECTION.value:
      case SECTION.footer:
        if (code === SECTION.properties) {
          if (layout.propsStart >= 0) return false;
          layout.propsStart = at;
          layout.propsEnd = next;
        } else if (code === SECTION.applicationProperties) {
          if (layout.appStart >= 0) return false;
          layout.appStart = at;
          layout.appEnd = next;
        }
        if (layout.bareStart < 0) layout.bareStart = at;
        else if (layout.bareEnd !== at) return false;
        layout.bareEnd = next;
        break;
      default:
        return false;
    }
    at = next;
  }
  // Application properties must follow properties for the payload's offsets (the general parser allows either order).
  if (layout.propsStart >= 0 && layout.appStart >= 0 && layout.appStart < layout.propsStart) return false;
  return true;
}
