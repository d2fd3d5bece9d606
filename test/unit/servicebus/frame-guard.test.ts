/**
 * The AMQP frame guard: however TCP splits the peer's bytes (SASL header, SASL frames, AMQP header, open, frames),
 * every allowed frame passes and the first oversized one is found at the same place.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameGuard, MIN_MAX_FRAME_SIZE } from "../../../emulator/servicebus/amqp/frame-guard.js";

const MAX = 4096;
const header = (protocolId: number) => Buffer.from([0x41, 0x4d, 0x51, 0x50, protocolId, 1, 0, 0]);
/** A frame of `size` bytes in all (its content does not matter to the guard). */
function frameOf(size: number): Buffer {
  const f = Buffer.alloc(size, 0x5a);
  f.writeUInt32BE(size, 0);
  return f;
}

/**
 * Feeds `stream` to a fresh guard in pieces cut at `cuts`. Returns where the bytes rhea may still read end (the
 * offending frame's start, or the start of the chunk that completed its size field) and the size announced.
 */
function firstViolation(stream: Buffer, cuts: number[]): { at: number; size: number; chunkStart: number } | undefined {
  const guard = new FrameGuard(MAX);
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, stream.length]) {
    if (to <= from) continue;
    const v = guard.check(stream.subarray(from, to));
    if (v) return { at: from + v.offset, size: v.size, chunkStart: from };
    from = to;
  }
  return undefined;
}

const cutsArb = fc.array(fc.nat(), { maxLength: 12 });
const framesArb = fc.array(fc.integer({ min: 8, max: MAX }), { maxLength: 8 });
/** How far past its limit the offending frame's announced size is. */
const overArb = fc.integer({ min: 1, max: 1 << 30 });

describe("FrameGuard", () => {
  it("lets through SASL, the AMQP header, an open of up to 512 bytes and frames up to max-frame-size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: MIN_MAX_FRAME_SIZE }), framesArb, cutsArb, (open, sizes, cuts) => {
        const stream = Buffer.concat([header(3), frameOf(40), header(0), frameOf(open), ...sizes.map(frameOf)]);
        expect(firstViolation(stream, cuts)).toBeUndefined();
      }),
    );
  });

  it("finds a first frame over 512 bytes, or a later one over max-frame-size, wherever the chunks split", () => {
    fc.assert(
      fc.property(fc.boolean(), framesArb, overArb, cutsArb, (early, sizes, over, cuts) => {
        const before = early ? [] : [frameOf(100), ...sizes.map(frameOf)];
        const prefix = Buffer.concat([header(0), ...before]);
        const size = (early ? MIN_MAX_FRAME_SIZE : MAX) + over;
        const announced = Buffer.alloc(8);
        announced.writeUInt32BE(size, 0);
        const stream = Buffer.concat([prefix, announced, Buffer.alloc(64)]);
        const found = firstViolation(stream, cuts);
        expect(found?.size).toBe(size);
        expect(found?.at).toBe(Math.max(prefix.length, found?.chunkStart ?? 0));
      }),
    );
  });

  it("holds SASL frames to 512 bytes", () => {
    expect(firstViolation(Buffer.concat([header(3), frameOf(513)]), [])).toMatchObject({ at: 8, size: 513 });
  });
});
