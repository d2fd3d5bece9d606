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

/** Uninitialised memory for `length` kept bytes; the caller fills all of it. */
export function keptBuffer(length: number): Buffer {
  if (length >= OWN_MEMORY_FROM) return Buffer.allocUnsafeSlow(length);
  if (used + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  used += length;
  return out;
}

/** A kept copy of `bytes`. */
export function keptCopy(bytes: Buffer): Buffer {
  const out = keptBuffer(bytes.length);
  bytes.copy(out, 0);
  return out;
}
