/**
 * Idempotent producers (KIP-98), as Kafka brokers keep them and as Event Hubs supports them ("Azure Event Hubs for
 * Apache Kafka supports both idempotent producers and idempotent consumers"): InitProducerId hands out producer ids,
 * and each partition remembers, per producer id, its epoch, the last sequence number appended and the last few
 * batches, so a retried batch is acknowledged again without being stored twice.
 *
 * Checks, in Kafka's order, for a batch that carries a producer id:
 * - an epoch older than the one seen is fenced (INVALID_PRODUCER_EPOCH);
 * - a batch equal to one of the last 5 of the same epoch is a duplicate: success, with the first copy's offset;
 * - a new epoch (or a producer this partition has no record of) must start at sequence 0, else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER (or UNKNOWN_PRODUCER_ID when there is no record at all);
 * - otherwise the first sequence must follow the last one appended (wrapping after 2^31 - 1), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER: a gap or a reordering is refused, nothing is stored.
 * A producer is forgotten once retention has deleted its last batch, as a Kafka broker forgets it (which also bounds
 * what producers that come and go can cost), and on a restart: it then gets UNKNOWN_PRODUCER_ID unless it starts over.
 */
import { ErrorCode, KafkaApiError } from "../errors.js";
import type { BatchInfo } from "../record-batch.js";

/** Kafka keeps the metadata of the last 5 batches per producer (max.in.flight.requests.per.connection <= 5). */
const REMEMBERED_BATCHES = 5;
const MAX_SEQUENCE = 0x7fffffff;

interface AppendedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  recent: AppendedBatch[];
}

/** The sequence number of a batch's last record (sequences wrap to 0 after 2^31 - 1, as offsets deltas are added). */
function lastSequence(batch: BatchInfo): number {
  const last = batch.baseSequence + batch.recordCount - 1;
  return last > MAX_SEQUENCE ? last - MAX_SEQUENCE - 1 : last;
}

function follows(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === MAX_SEQUENCE);
}

/** Hands out producer ids broker-wide. They start from the start time, so ids from before a restart are not reused. */
export class ProducerIdAllocator {
  private next: number;

  constructor(startMs: number) {
    this.next = Math.max(1, Math.floor(startMs));
  }

  allocate(): number {
    return this.next++;
  }
}

/** One partition's idempotence state. */
export class PartitionProducers {
  private readonly producers = new Map<number, ProducerEntry>();

  /**
   * Checks the batches of one produce request for this partition. Returns the base offset of the earlier copy when
   * they repeat an appended batch (the request is then acknowledged without storing anything); throws KafkaApiError
   * when they are refused; returns undefined when they may be appended.
   */
  check(batches: readonly BatchInfo[]): number | undefined {
    // What earlier batches of this same request would leave, so several batches in one request are checked in turn.
    let pending: Map<number, { epoch: number; lastSeq: number }> | undefined;
    for (const batch of batches) {
      if (batch.producerId < 0) continue;
      const entry = this.producers.get(batch.producerId);
      const seen = pending?.get(batch.producerId) ?? entry;
      const firstSeq = batch.baseSequence;
      if (seen && batch.producerEpoch < seen.epoch) {
        throw new KafkaApiError(
          ErrorCode.INVALID_PRODUCER_EPOCH,
          `Producer ${batch.producerId} epoch ${batch.producerEpoch} is fenced by epoch ${seen.epoch}.`,
        );
      }
      if (entry && entry.epoch === batch.producerEpoch && !pending?.has(batch.producerId)) {
        const lastSeq = lastSequence(batch);
        const copy = entry.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
        if (copy) return copy.baseOffset;
      }
      if (!seen || seen.epoch !== batch.producerEpoch) {
        if (firstSeq !== 0) {
          if (!seen) {
            throw new KafkaApiError(
              ErrorCode.UNKNOWN_PRODUCER_ID,
              `No record of producer ${batch.producerId} on this partition; a new producer starts at sequence 0.`,
            );
          }
          throw new KafkaApiError(
            ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            `Producer ${batch.producerId} epoch ${batch.producerEpoch} must start at sequence 0, not ${firstSeq}.`,
          );
        }
      } else if (!follows(seen.lastSeq, firstSeq)) {
        throw new KafkaApiError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Out of order sequence for producer ${batch.producerId}: got ${firstSeq}, expected ${seen.lastSeq + 1}.`,
        );
      }
      pending ??= new Map();
      pending.set(batch.producerId, { epoch: batch.producerEpoch, lastSeq: lastSequence(batch) });
    }
    return undefined;
  }

  /** Forgets producers whose last appended batch is below `logStartOffset` (deleted by retention). */
  forgetBefore(logStartOffset: number): void {
    for (const [id, entry] of this.producers) {
      const last = entry.recent[entry.recent.length - 1];
      if (!last || last.baseOffset < logStartOffset) this.producers.delete(id);
    }
  }

  /** Records appended batches (checked by check()), the first at `baseOffset` and the others after it. */
  record(batches: readonly BatchInfo[], baseOffset: number): void {
    let offset = baseOffset;
    for (const batch of batches) {
      if (batch.producerId >= 0) {
        let entry = this.producers.get(batch.producerId);
        if (!entry || entry.epoch !== batch.producerEpoch) {
          entry = { epoch: batch.producerEpoch, lastSeq: -1, recent: [] };
          this.producers.set(batch.producerId, entry);
        }
        const lastSeq = lastSequence(batch);
        entry.lastSeq = lastSeq;
        entry.recent.push({ firstSeq: batch.baseSequence, lastSeq, baseOffset: offset });
        if (entry.recent.length > REMEMBERED_BATCHES) entry.recent.shift();
      }
      offset += batch.recordCount;
    }
  }
}
