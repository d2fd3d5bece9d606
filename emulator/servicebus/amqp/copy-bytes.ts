/**
 * Copies [start, end) of `source` to `target` at `at`. Buffer#copy of part of a buffer makes a Uint8Array view
 * first (Node 20), which costs more than copying a few dozen bytes one by one; the send path copies such short
 * runs (the properties after a spliced message id) for every message.
 */
const SHORT = 48;

export function copyBytes(source: Buffer, start: number, end: number, target: Buffer, at: number): void {
  const length = end - start;
  if (length <= 0) return;
  if (length > SHORT) {
    source.copy(target, at, start, end);
    return;
  }
  for (let i = 0; i < length; i++) target[at + i] = source[start + i];
}
