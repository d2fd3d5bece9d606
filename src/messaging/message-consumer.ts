/**
 * The runner every message handler uses: one message in, at most one commit out, exactly once in effect.
 *
 *   load the stream with the inbox check (snapshot + events after it and the inbox row, one query when the stream is
 *   remembered) -> decide (pure) -> commit events + outbox + inbox
 *   (+ snapshot) atomically -> hand the commit's outbox records to the relay (best effort; the sweeper delivers
 *   what a crash or a failed publish left pending).
 *
 * A WrongExpectedVersionError (another writer committed to the stream first) reloads and decides again, a bounded
 * number of times; a DuplicateMessageError (a concurrent duplicate committed first) counts as handled.
 *
 * Usage, in a Service Bus triggered function:
 *
 *   const consumer = new MessageConsumer({ repository, relay });
 *   const { name, message } = readMessage(body, concertCommandNames);
 *   const outcome = await consumer.handle({
 *     consumer: "concerts",                       // the inbox name, one per handler
 *     message,                                    // the message being handled (its id is the inbox key)
 *     stream: concertStream, id: message.data.concertId,
 *     decide: (state, { now }) => ({ events: decideConcert(state, { name, data: message.data }, now) }),
 *   });
 *   context.log(`${outcome.status} ${message.id} -> ${outcome.streamId}@${outcome.version}`);
 *
 * Events come back from `decide` as `{ name, data }`; the runner wraps each in its CloudEvent with a deterministic
 * id `<streamId>:<version>`, caused by the handled message (correlation id, causation id, traceparent), and by
 * default also puts it in the outbox (channel `events`, Kafka key = stream id). Commands and timeouts go in
 * `outbox` as ready OutboxMessages (deterministic ids such as `<message id>:<CommandName>`).
 *
 * Tracing and the timeline: the handling runs in a consumer span (the Functions invocation's, or its own), the
 * messages it produces carry that span's traceparent, and the commit records its hops: `handled` (or `duplicate`)
 * for the message and `recorded` for each committed event, at the commit's time.
 */
import { createMessage, type MessageData, type MessageName } from "../events/catalog.js";
import { causedBy, type CloudEvent } from "../events/envelope.js";
import { DuplicateMessageError, type OutboxMessage, type OutboxRecord, WrongExpectedVersionError } from "../eventstore/event-store.js";
import type { LoadedStream, StreamDefinition, StreamRepository } from "../eventstore/stream-repository.js";
import { activeIds, currentActor, processMessage, settleOutcome } from "../telemetry/message-processing.js";
import { activeTraceparent } from "../telemetry/trace-context.js";
import { factsOf, hopOf } from "../timeline/hop.js";
import { recordHops } from "../timeline/hop-recorder.js";
import { currentTime } from "../clock.js";

export type NewEvent<N extends MessageName = MessageName> = { [K in N]: { name: K; data: MessageData<K> } }[N];

export interface Decision<N extends MessageName = MessageName> {
  events?: readonly NewEvent<N>[];
  outbox?: readonly OutboxMessage[];
}

export interface DecideContext {
  streamId: string;
  /** The version the state includes. */
  version: number;
  now: Date;
  /** Which try this is (1 first; more after a concurrent writer won). */
  attempt: number;
}

export interface Handling<S, N extends MessageName> {
  /** The inbox name: one per handler, e.g. "concerts", "purchase-process", "payments". */
  consumer: string;
  message: CloudEvent;
  stream: StreamDefinition<S, N>;
  /** The stream's id without its prefix (e.g. the concert id). */
  id: string;
  decide(state: S, context: DecideContext): Decision<N>;
  /** Put the new events in the outbox for the `events` topic and Kafka (default true; false for a process's own log). */
  publishEvents?: boolean;
  /**
   * The stream as the caller just loaded it, with this handling's inbox check (`{ inbox: { consumer, messageId } }`),
   * to decide what to ask a service: the runner starts from it instead of reading the stream again. A commit made
   * meanwhile is caught as usual (a version conflict reloads, an inbox conflict is a duplicate).
   */
  loaded?: LoadedStream<S, N>;
}

export type HandlingOutcome =
  | { status: "handled"; streamId: string; version: number; events: CloudEvent[]; outbox: OutboxRecord[]; attempts: number }
  /** The decision changed nothing and sent nothing: nothing was written. */
  | { status: "unchanged"; streamId: string; version: number; attempts: number }
  /** This consumer already handled this message (inbox hit before or at the commit). */
  | { status: "duplicate"; streamId: string };

/** Where committed outbox records go right away (the relay). */
export interface OutboxDelivery {
  deliver(records: readonly OutboxRecord[]): Promise<unknown>;
}

export interface MessageConsumerOptions {
  repository: StreamRepository;
  relay?: OutboxDelivery;
  /** Tries when other writers keep winning (default 8): N writers racing on one stream need up to N tries. */
  maxAttempts?: number;
  /** Pause before try `attempt` (default: random up to 5 ms per try, so racing writers fall out of step). */
  retryDelayMs?: (attempt: number) => number;
  now?: () => Date;
  onRelayError?: (error: unknown, records: readonly OutboxRecord[]) => void;
}

export class MessageConsumer {
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(private readonly options: MessageConsumerOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.now = options.now ?? (() => currentTime());
  }

  handle<S, N extends MessageName>(handling: Handling<S, N>): Promise<HandlingOutcome> {
    return processMessage({ consumer: handling.consumer, message: handling.message }, () => this.handleTraced(handling));
  }

  private async handleTraced<S, N extends MessageName>(handling: Handling<S, N>): Promise<HandlingOutcome> {
    const { repository } = this.options;
    const streamId = handling.stream.prefix + handling.id;
    const inbox = { consumer: handling.consumer, messageId: handling.message.id };
    // The inbox check comes in the same read as the stream's events.
    const preloaded = handling.loaded?.handled === undefined ? undefined : handling.loaded;
    // A stream this process wrote or read last is decided on without reading it again: the commit is what checks
    // (a newer version fails it and the stream is read; so does the inbox row of a message handled before). Only a
    // decision to do nothing has no commit to check it: that one is made again on a fresh read.
    let unverified = preloaded ? undefined : repository.remembered(handling.stream, handling.id);
    const first = preloaded ?? unverified ?? (await repository.load(handling.stream, handling.id, { inbox }));
    if (first.handled) {
      settleOutcome("duplicate", { streamId });
      return { status: "duplicate", streamId };
    }
    // What this handling produces is caused by its span (the same as the message's when tracing is off).
    const traceparent = activeTraceparent() ?? handling.message.traceparent;

    let loaded: LoadedStream<S, N> = first;
    for (let attempt = 1; ; attempt++) {
      const now = this.now();
      let decision: Decision<N> | undefined;
      try {
        decision = handling.decide(loaded.state, { streamId, version: loaded.version, now, attempt });
      } catch (err) {
        // A refusal may come of a state that is behind, or of a message already handled: decide again on a read.
        if (!unverified) throw err;
      }
      if (!decision || (unverified && !decision.events?.length && !decision.outbox?.length)) {
        unverified = undefined;
        loaded = await repository.load(handling.stream, handling.id, { inbox });
        if (loaded.handled) {
          settleOutcome("duplicate", { streamId });
          return { status: "duplicate", streamId };
        }
        attempt--; // the same try, now on a state just read
        continue;
      }
      const events = (decision.events ?? []).map((e, i) => toCloudEvent(e as NewEvent, streamId, loaded.version + i + 1, handling.message, now, traceparent));
      const sent = (decision.outbox ?? []).map((r) => withTraceparent(r, handling.message, traceparent));
      const outbox = [...(handling.publishEvents === false ? [] : events.map((event) => ({ message: event, channel: "events" as const, partitionKey: streamId }))), ...sent];
      if (events.length === 0 && outbox.length === 0) {
        settleOutcome("handled", { streamId, version: loaded.version, detail: "no change" });
        return { status: "unchanged", streamId, version: loaded.version, attempts: attempt };
      }
      try {
        const saved = await repository.save(loaded, { events, outbox, inbox });
        recordCommit(streamId, saved.version, events);
        await this.relay(saved.outbox);
        return { status: "handled", streamId, version: saved.version, events, outbox: saved.outbox, attempts: attempt };
      } catch (err) {
        if (err instanceof DuplicateMessageError) {
          settleOutcome("duplicate", { streamId });
          return { status: "duplicate", streamId };
        }
        if (!(err instanceof WrongExpectedVersionError) || attempt >= this.maxAttempts) throw err;
        unverified = undefined;
        const delay = this.options.retryDelayMs?.(attempt + 1) ?? Math.random() * 5 * attempt;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        loaded = await repository.load(handling.stream, handling.id);
      }
    }
  }

  private async relay(records: readonly OutboxRecord[]): Promise<void> {
    if (!this.options.relay || records.length === 0) return;
    try {
      await this.options.relay.deliver(records);
    } catch (err) {
      // Committed is what counts: the records stay pending and the sweeper delivers them.
      this.options.onRelayError?.(err, records);
    }
  }
}

function toCloudEvent(event: NewEvent, streamId: string, version: number, cause: CloudEvent, now: Date, traceparent: string | undefined): CloudEvent {
  return createMessage(event.name, event.data as never, { ...causedBy(cause), ...(traceparent ? { traceparent } : {}), id: `${streamId}:${version}`, subject: streamId, time: now });
}

/** A command or timeout caused by the handled message carries the handling's trace context, as its events do. */
function withTraceparent(record: OutboxMessage, cause: CloudEvent, traceparent: string | undefined): OutboxMessage {
  if (!traceparent || record.message.causationid !== cause.id || record.message.traceparent === traceparent) return record;
  return { ...record, message: { ...record.message, traceparent } };
}

/** The commit's hops: the message handled, then each event recorded, at the same moment. */
function recordCommit(streamId: string, version: number, events: readonly CloudEvent[]): void {
  const at = currentTime();
  settleOutcome("handled", { streamId, version }, at);
  const ids = activeIds();
  const by = currentActor();
  const first = version - events.length + 1;
  recordHops(events.flatMap((event, i) => {
    const facts = factsOf(event);
    return facts ? [hopOf(facts, "recorded", at, { streamId, version: first + i, ...(by ? { by } : {}), ...ids })] : [];
  }));
}
