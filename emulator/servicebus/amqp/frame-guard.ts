/**
 * Watches the bytes a peer sends on an AMQP connection and spots a frame larger than the peer may send, before rhea
 * buffers it. rhea reads a frame's size and then keeps every byte until that many have arrived: a header announcing
 * 4 GB made the emulator hold all the junk that followed. AMQP 1.0 limits frames to 512 bytes (MIN-MAX-FRAME-SIZE)
 * until `open` is exchanged (section 2.4.1; SASL frames always, section 5.3.1), then to the max-frame-size we
 * advertised in our open (section 2.7.1). The guard only reads frame sizes and protocol headers, so its state is a
 * few numbers whatever the peer sends.
 */

/** MIN-MAX-FRAME-SIZE: the largest frame a peer may send before `open`, and the largest SASL frame. */
export const MIN_MAX_FRAME_SIZE = 512;

const HEADER_BYTES = 8;
/** "AMQP" read as a frame size: where a frame size is expected, the next protocol header (after SASL) starts. */
const AMQP_MAGIC = 0x414d5150;
const SASL_PROTOCOL_ID = 3;

export interface FrameViolation {
  /** Bytes of the chunk before the offending frame, which rhea may read (0 when it began in an earlier chunk). */
  offset: number;
  size: number;
  limit: number;
  /** Whether the frame came before `open` (or in the SASL layer), where the limit is MIN-MAX-FRAME-SIZE. */
  beforeOpen: boolean;
}

export class FrameGuard {
  /** Bytes of a protocol header still to come (0 when frames are expected). */
  private headerLeft = HEADER_BYTES;
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private sasl = false;
  /** AMQP frames read so far (the first one is the peer's open). */
  private amqpFrames = 0;
  /** Bytes of a frame size still to come, and the ones already read. */
  private sizeLeft = 4;
  private readonly size = Buffer.alloc(4);
  /** Body bytes of the current frame still to skip. */
  private bodyLeft = 0;

  constructor(private readonly maxFrameSize: number) {}

  /** Reads one chunk; returns the first frame over the limit, or undefined when every frame in it is allowed. */
  check(chunk: Buffer): FrameViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.headerLeft > 0) {
        const n = Math.min(this.headerLeft, chunk.length - i);
        chunk.copy(this.header, HEADER_BYTES - this.headerLeft, i, i + n);
        this.headerLeft -= n;
        i += n;
        if (this.headerLeft === 0) this.onHeader();
        continue;
      }
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        continue;
      }
      const start = i;
      const n = Math.min(this.sizeLeft, chunk.length - i);
      chunk.copy(this.size, 4 - this.sizeLeft, i, i + n);
      this.sizeLeft -= n;
      i += n;
      if (this.sizeLeft > 0) continue;
      this.sizeLeft = 4;
      const size = this.size.readUInt32BE(0);
      if (this.sasl && size === AMQP_MAGIC) {
        // The SASL exchange is over and the AMQP header follows: its first four bytes are already read.
        this.size.copy(this.header, 0);
        this.headerLeft = HEADER_BYTES - 4;
        continue;
      }
      const beforeOpen = this.sasl || this.amqpFrames === 0;
      const limit = beforeOpen ? MIN_MAX_FRAME_SIZE : this.maxFrameSize;
      // A frame's size counts its own 4-byte size field; under 8 it is malformed, which rhea reports itself.
      if (size > limit) return { offset: start, size, limit, beforeOpen };
      if (!this.sasl) this.amqpFrames++;
      this.bodyLeft = Math.max(0, size - 4);
    }
    return undefined;
  }

  private onHeader(): void {
    if (this.header.readUInt32BE(0) !== AMQP_MAGIC) {
      // Not AMQP at all: rhea answers with its protocol header and closes; nothing more to watch.
      this.headerLeft = 0;
      this.sasl = false;
      this.amqpFrames = 1;
      return;
    }
    this.sasl = this.header[4] === SASL_PROTOCOL_ID;
  }
}
