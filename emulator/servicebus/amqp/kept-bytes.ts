/**
 * Memory for the bytes the store keeps (each message's bare sections). `Buffer.from` and `Buffer.concat` slice
 * Node's shared 8 KB pool, where short-lived buffers (rhea's frames, decoded strings) land next to the kept copy, so
 * each 1 KB message would pin about twice its size. Kept bytes go instead into slabs that hold nothing else, filled
 * in arrival order. Only the slab being filled is referenced from here: an older slab is freed by the garbage
 * collector as soon as no stored message points into it, so completed and deleted messages release their slab
 * without bookkeeping. Slabs are small (64 KB, ~58 messages of 1 KB) so a few long-lived messages (deferred,
 * dead-lettered) pin little, and stay under glibc's mmap threshold (128 KB): malloc then reuses freed slabs' memory
 * instead of mapping fresh pages for each (which measured twice the CPU per message). Large messages get memory of
 * their own.
 */
const SLAB_SIZE = 64 * 1024;
const OWN_MEMORY_FROM = 8 * 1024;

let slab: Buffer = Buffer.allocUnsafeSlow(0);
let used = 0;

/**
 * Where reserved bytes lie: `buffer` from `offset`. One object, refilled by each reserveKept() call, so a stored
 * message can keep (buffer, offset) without a Buffer view of its own (a view is a heap object per message, and
 * making one costs more than the copy of a small message).
 */
export interface KeptSpace {
  buffer: Buffer;
  offset: number;
}

const space: KeptSpace = { buffer: slab, offset: 0 };

/** Reserves `length` uninitialised kept bytes, which the caller fills; read the answer before the next call. */
export function reserveKept(length: number): Readonly<KeptSpace> {
  if (length >= OWN_MEMORY_FROM) {
    space.buffer = Buffer.allocUnsafeSlow(length);
    space.offset = 0;
    return space;
  }
  if (used + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    used = 0;
  }
  space.buffer = slab;
  space.offset = used;
  used += length;
  return space;
}

/** Uninitialised memory for `length` kept bytes, as a view of its own; the caller fills all of it. */
export function keptBuffer(length: number): Buffer {
  const { buffer, offset } = reserveKept(length);
  return buffer.subarray(offset, offset + length);
}
