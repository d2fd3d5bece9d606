/**
 * Delivery for one event subscription: a queue of matched events, batches sent with bounded concurrency, retries on
 * Azure's schedule (on the emulator clock), and dead-lettering or dropping when the retry policy gives up.
 *
 * A webhook is validated first, once, as Azure does when the subscription is created: a refused handshake or a
 * validation URL not called within 5 minutes fails the subscription for good (provisioningState Failed, what was
 * queued and whatever comes later is dropped, nothing is delivered) until its endpoint is updated. The one local
 * allowance: an endpoint that accepts no connection at all is tried again on the retry schedule for up to 24 h,
 * since the emulator usually starts before the app whose webhook it validates.
 *
 * Publishing only appends to the queue, so a slow or dead endpoint delays nothing but its own subscription.
 */
import type { DeliveryHop, DeliveryObservers } from "./delivery-observer.js";
import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import type { EventSubscriptionConfig } from "../config-types.js";
import type { AcceptedEvent } from "../model/events.js";
import { toDeliverySchema } from "../model/events.js";
import { takeBatch } from "./batcher.js";
import { type DeadLetterInfo, type DeadLetterReason, deadLetterBlobName, deadLetterRecord } from "./dead-letter-record.js";
import type { DeadLetterWriter } from "./dead-letter-writer.js";
import type { DeliveryResult, Destination, OutgoingEvent } from "./destination.js";
import type { PendingStore } from "./pending-store.js";
import { type DeliveryOutcome, retryDelayMs, RETRY_SCHEDULE_MS } from "./retry-policy.js";
import { RetrySchedule } from "./retry-schedule.js";
import type { SubscriptionState } from "./subscription-state.js";

/**
 * Requests in flight at once per subscription. Azure does not document its number; it pushes with high concurrency.
 * A low cap makes delivery latency-bound: events/s <= cap / round-trip time, which a busy machine quickly hits.
 */
export const MAX_CONCURRENT_DELIVERIES = 64;
const RECENT = 100;
const MANUAL_VALIDATION_WINDOW_MS = 5 * 60_000;
const UNREACHABLE_GIVE_UP_MS = 24 * 3_600_000;
const VALIDATION_FAILED_REASON = "SubscriptionValidationFailed";
const SEE_DOCS = "For more details, visit https://aka.ms/esvalidation.";
const DEAD_LETTER_RETRY_MS = 60_000;
const DEAD_LETTER_GIVE_UP_MS = 4 * 3_600_000;

interface Batch {
  events: OutgoingEvent[];
  attempts: number;
  lastOutcome?: DeliveryOutcome;
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
}

type ProvisioningState = "Creating" | "AwaitingManualAction" | "Succeeded" | "Failed";

export interface DispatcherDeps {
  topicName: string;
  clock: Clock;
  logger: Logger;
  destination: Destination;
  deadLetter?: { writer: DeadLetterWriter; location: string };
  store?: PendingStore;
  /** The URL the endpoint may GET to validate manually (needs the HTTP port, known once the server listens). */
  validationUrl: (code: string) => string;
  /** Told of each delivery, retry and dead-letter (the dashboard). */
  observers?: DeliveryObservers;
}

export class SubscriptionDispatcher {
  private readonly queue: OutgoingEvent[] = [];
  private readonly readyRetries: Batch[] = [];
  /** Batches waiting for their next attempt, on one clock timer per subscription. */
  private readonly waiting: RetrySchedule<Batch>;
  private inFlight = 0;
  private writingDeadLetters = 0;
  private started = false;
  private closed = false;
  private provisioning: ProvisioningState;
  private validationError: string | undefined;
  private validationCode: string | undefined;
  private validationAttempts = 0;
  /** When the first handshake of the current endpoint started (bounds the wait for an endpoint not listening). */
  private validationStartedAt: number | undefined;
  private validationTimer: TimerHandle | undefined;
  private readonly counts = { matched: 0, delivered: 0, deadLettered: 0, dropped: 0 };
  private readonly recentDelivered: string[] = [];
  private readonly recentDeadLettered: SubscriptionState["deadLettered"] = [];
  private readonly recentDropped: SubscriptionState["dropped"] = [];
  private readonly waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private validating = false;
  /** Bumped when the destination changes, so a handshake with the old endpoint that ends later is ignored. */
  private generation = 0;

  constructor(
    public config: EventSubscriptionConfig,
    private readonly deps: DispatcherDeps,
  ) {
    this.provisioning = deps.destination.validate ? "Creating" : "Succeeded";
    this.waiting = new RetrySchedule(deps.clock, (batch) => this.retryDue(batch));
  }

  /** Starts delivering (and the handshake first, when the destination needs one). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.provisioning === "Creating") void this.runValidation();
    else this.pump();
  }

  enqueue(events: AcceptedEvent[], persist = true): void {
    if (this.provisioning === "Failed") {
      // In Azure a subscription that failed validation does not exist, so nothing is delivered to it.
      this.dropUndelivered(events.map((accepted) => String(accepted.stored.event.id)));
      if (!persist) this.deps.store?.remove(this.config.name, events.map((e) => e.internalId));
      return;
    }
    const outgoing = events.map((accepted) => {
      const body = toDeliverySchema(accepted, this.config.eventDeliverySchema);
      const json = JSON.stringify(body);
      return { accepted, body, json, bytes: Buffer.byteLength(json) };
    });
    if (persist) this.deps.store?.add(this.config.name, events);
    this.counts.matched += outgoing.length;
    // A loop, not push(...outgoing): a durable restart may re-queue more events than a call takes arguments.
    for (const o of outgoing) this.queue.push(o);
    this.pump();
  }

  /**
   * A new destination, as an ARM update of the subscription sets it: the handshake runs again with the new endpoint
   * before anything is delivered there; queued events and retries go to the new endpoint, requests already in
   * flight finish with the old one.
   */
  replaceDestination(config: EventSubscriptionConfig, destination: Destination): void {
    this.generation++;
    this.validationTimer?.cancel();
    this.validationTimer = undefined;
    this.config = config;
    this.deps.destination = destination;
    this.validating = false;
    this.validationAttempts = 0;
    this.validationStartedAt = undefined;
    this.validationCode = undefined;
    this.validationError = undefined;
    this.provisioning = destination.validate ? "Creating" : "Succeeded";
    if (this.started && !this.closed) {
      if (this.provisioning === "Creating") void this.runValidation();
      else this.pump();
    }
    this.changed();
  }

  /** The endpoint GETs the validation URL (manual validation). */
  confirmManualValidation(code: string): boolean {
    if (this.provisioning !== "AwaitingManualAction" || code !== this.validationCode) return false;
    this.validationTimer?.cancel();
    this.markValidated();
    return true;
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.waitUntil(() => this.isIdle());
  }

  /**
   * Resolves once nothing is in flight or ready to send, retries only waiting for their time (or events only waiting
   * for the endpoint's validation). Tests move the clock, then wait for this.
   */
  whenQuiet(): Promise<void> {
    return this.waitUntil(() => this.isQuiet());
  }

  close(): void {
    this.closed = true;
    this.validationTimer?.cancel();
    this.waiting.stop();
  }

  snapshot(): SubscriptionState {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const retrying = [...this.waiting.items(), ...this.readyRetries].map((b) => ({
      eventIds: b.events.map((e) => String(e.body.id ?? e.accepted.stored.event.id)),
      deliveryAttempts: b.attempts,
      nextAttemptTime: iso(b.nextAttemptAt),
      lastDeliveryOutcome: b.lastOutcome,
      lastHttpStatusCode: b.lastStatus,
      lastError: b.lastError,
    }));
    return {
      name: this.config.name,
      topic: this.deps.topicName,
      destination: this.deps.destination.description,
      endpointType: this.config.destination.endpointType,
      eventDeliverySchema: this.config.eventDeliverySchema,
      provisioningState: this.provisioning,
      validationError: this.validationError,
      counts: {
        matched: this.counts.matched,
        delivered: this.counts.delivered,
        queued: this.queue.length,
        inFlight: this.inFlight,
        retrying: retrying.reduce((n, r) => n + r.eventIds.length, 0),
        deadLettered: this.counts.deadLettered,
        dropped: this.counts.dropped,
      },
      retrying,
      recentlyDelivered: [...this.recentDelivered],
      deadLettered: [...this.recentDeadLettered],
      dropped: [...this.recentDropped],
    };
  }

  private waitUntil(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private isQuiet(): boolean {
    const blocked = this.provisioning !== "Succeeded" || !this.started;
    return !this.validating && this.inFlight === 0 && this.readyRetries.length === 0 && this.writingDeadLetters === 0 && (this.queue.length === 0 || blocked);
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && this.waiting.size === 0 && this.readyRetries.length === 0 && this.writingDeadLetters === 0;
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      if (!w.ready()) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  private async runValidation(): Promise<void> {
    if (this.closed || !this.deps.destination.validate) return;
    this.validationAttempts++;
    this.validationStartedAt ??= this.deps.clock.now();
    const code = randomUUID();
    const generation = this.generation;
    this.validating = true;
    const result = await this.deps.destination.validate({ code, validationUrl: this.deps.validationUrl(code) });
    if (generation !== this.generation) return;
    this.validating = false;
    if (this.closed) return;
    if (result.state === "Succeeded") return this.markValidated();
    if (result.state === "AwaitingManualAction") {
      this.provisioning = "AwaitingManualAction";
      this.validationCode = result.code;
      this.validationError = undefined;
      this.validationTimer = this.deps.clock.setTimer(MANUAL_VALIDATION_WINDOW_MS, () => {
        this.failProvisioning("the endpoint did not GET the validation URL within 5 minutes");
        this.changed();
      });
    } else if (result.state === "Unreachable") this.waitForEndpoint(result.error);
    else this.failProvisioning(result.error);
    this.changed();
  }

  /** Nothing accepted the connection: the app may not be up yet, so try again later (within a bound). */
  private waitForEndpoint(error: string): void {
    const waited = this.deps.clock.now() - (this.validationStartedAt ?? this.deps.clock.now());
    if (waited >= UNREACHABLE_GIVE_UP_MS) {
      return this.failProvisioning(`${error}; the endpoint was not reachable for 24 h`);
    }
    const wait = RETRY_SCHEDULE_MS[Math.min(this.validationAttempts, RETRY_SCHEDULE_MS.length) - 1];
    this.validationError = `the endpoint is not reachable yet (${error}); validating again in ${wait / 1000} s`;
    const subscription = this.config.name;
    this.deps.logger.warn("endpoint not reachable for validation; trying again", { subscription, error, inMs: wait });
    this.validationTimer = this.deps.clock.setTimer(wait, () => void this.runValidation());
  }

  /** Azure's outcome of a failed handshake: the subscription is Failed and gets nothing until it is updated. */
  private failProvisioning(reason: string): void {
    this.validationTimer?.cancel();
    this.validationTimer = undefined;
    this.provisioning = "Failed";
    this.validationCode = undefined;
    // Azure's message when validation fails subscription creation, with the reason the emulator saw.
    const endpoint = this.endpointUrl();
    this.validationError = `The attempt to validate the provided endpoint ${endpoint} failed: ${reason}. ${SEE_DOCS}`;
    const queued = this.queue.splice(0);
    this.deps.store?.remove(this.config.name, queued.map((e) => e.accepted.internalId));
    this.dropUndelivered(queued.map((e) => String(e.body.id ?? e.accepted.stored.event.id)));
    this.deps.logger.warn("endpoint validation failed: subscription Failed, no events until its endpoint is updated", {
      subscription: this.config.name,
      error: this.validationError,
      dropped: queued.length,
    });
  }

  private dropUndelivered(ids: string[]): void {
    this.counts.dropped += ids.length;
    for (const eventId of ids) {
      this.remember(this.recentDropped, { eventId, reason: VALIDATION_FAILED_REASON, deliveryAttempts: 0 });
    }
  }

  private endpointUrl(): string {
    const destination = this.config.destination;
    return destination.endpointType === "WebHook" ? destination.endpointUrl : this.deps.destination.description;
  }

  private markValidated(): void {
    this.provisioning = "Succeeded";
    this.validationError = undefined;
    this.validationCode = undefined;
    this.deps.logger.info("endpoint validated", { subscription: this.config.name });
    this.pump();
  }

  private pump(): void {
    if (!this.started || this.closed || this.provisioning !== "Succeeded") return;
    while (this.inFlight < MAX_CONCURRENT_DELIVERIES) {
      const retry = this.readyRetries.shift();
      if (retry) {
        void this.attempt(retry);
        continue;
      }
      if (this.queue.length === 0) break;
      void this.attempt({ events: takeBatch(this.queue, this.deps.destination.batch), attempts: 0 });
    }
    this.changed();
  }

  private async attempt(batch: Batch): Promise<void> {
    this.inFlight++;
    batch.nextAttemptAt = undefined;
    let result: DeliveryResult;
    try {
      result = await this.deps.destination.deliver(batch.events, batch.attempts);
    } catch (err) {
      result = { ok: false, outcome: "GenericError", retriable: true, error: (err as Error)?.message ?? String(err) };
    }
    this.inFlight--;
    batch.attempts++;
    batch.lastAttemptAt = this.deps.clock.now();
    if (result.ok) this.delivered(batch);
    else this.failed(batch, result);
    this.pump();
  }

  private delivered(batch: Batch): void {
    this.counts.delivered += batch.events.length;
    this.tell({ kind: "delivered", events: batch.events.map((e) => e.accepted), attempts: batch.attempts });
    for (const e of batch.events) this.remember(this.recentDelivered, String(e.body.id ?? e.accepted.stored.event.id));
    this.deps.store?.remove(this.config.name, batch.events.map((e) => e.accepted.internalId));
  }

  private failed(batch: Batch, result: Extract<DeliveryResult, { ok: false }>): void {
    batch.lastOutcome = result.outcome;
    batch.lastStatus = result.status;
    batch.lastError = result.error;
    if (this.closed) return;
    const policy = this.config.retryPolicy;
    if (!result.retriable || batch.attempts >= policy.maxDeliveryAttempts) return this.giveUp(batch, "MaxDeliveryAttemptsExceeded");
    const due = batch.lastAttemptAt! + retryDelayMs(batch.attempts, result.status, this.deps.destination.kind);
    batch.nextAttemptAt = due;
    this.waiting.add(batch, due);
    const reason = `${result.outcome}${result.status === undefined ? "" : ` (HTTP ${result.status})`}`;
    const events = batch.events.map((e) => e.accepted);
    this.tell({ kind: "retrying", events, attempts: batch.attempts, nextAttemptAt: due, reason });
  }

  private retryDue(batch: Batch): void {
    // Azure checks the time to live only when the next attempt is due.
    const oldest = Math.min(...batch.events.map((e) => e.accepted.publishTime));
    if (this.deps.clock.now() - oldest >= this.config.retryPolicy.eventTimeToLiveInMinutes * 60_000) return this.giveUp(batch, "TimeToLiveExceeded");
    this.readyRetries.push(batch);
    this.pump();
  }

  private giveUp(batch: Batch, reason: DeadLetterReason): void {
    const info: DeadLetterInfo = {
      reason,
      deliveryAttempts: batch.attempts,
      lastDeliveryOutcome: batch.lastOutcome ?? "GenericError",
      lastHttpStatusCode: batch.lastStatus,
      lastDeliveryAttemptTime: batch.lastAttemptAt,
    };
    const ids = batch.events.map((e) => String(e.body.id ?? e.accepted.stored.event.id));
    this.deps.store?.remove(this.config.name, batch.events.map((e) => e.accepted.internalId));
    const deadLetter = this.deps.deadLetter;
    const kind = deadLetter ? "dead-lettered" : "dropped";
    this.tell({ kind, events: batch.events.map((e) => e.accepted), attempts: batch.attempts, reason });
    if (!deadLetter) {
      this.counts.dropped += ids.length;
      for (const id of ids) this.remember(this.recentDropped, { eventId: id, reason, deliveryAttempts: info.deliveryAttempts, lastDeliveryOutcome: info.lastDeliveryOutcome, lastHttpStatusCode: info.lastHttpStatusCode });
      this.deps.logger.warn("events dropped (no dead-letter destination)", { subscription: this.config.name, ids, reason, outcome: info.lastDeliveryOutcome });
      this.changed();
      return;
    }
    const blobName = deadLetterBlobName(this.config.name, this.deps.clock.now());
    const json = JSON.stringify(batch.events.map((e) => deadLetterRecord(e, this.config.eventDeliverySchema, info)));
    const entries = ids.map((eventId) => ({
      eventId,
      reason,
      deliveryAttempts: info.deliveryAttempts,
      lastDeliveryOutcome: info.lastDeliveryOutcome,
      lastHttpStatusCode: info.lastHttpStatusCode,
      location: deadLetter.location,
      blobName,
      written: false as boolean,
      writeError: undefined as string | undefined,
    }));
    this.counts.deadLettered += ids.length;
    for (const e of entries) this.remember(this.recentDeadLettered, e);
    this.writeDeadLetter(blobName, json, entries, this.deps.clock.now());
  }

  private writeDeadLetter(blobName: string, json: string, entries: { written: boolean; writeError?: string }[], firstTry: number): void {
    this.writingDeadLetters++;
    const done = () => {
      this.writingDeadLetters--;
      this.changed();
    };
    this.deps.deadLetter!.writer.write(blobName, json).then(
      () => {
        done();
        for (const e of entries) {
          e.written = true;
          e.writeError = undefined;
        }
        this.deps.logger.info("events dead-lettered", { subscription: this.config.name, blobName });
      },
      (err: unknown) => {
        const message = (err as Error)?.message ?? String(err);
        for (const e of entries) e.writeError = message;
        done();
        if (this.closed) return;
        if (this.deps.clock.now() - firstTry >= DEAD_LETTER_GIVE_UP_MS) {
          this.deps.logger.error("dead-letter destination unavailable for 4 h; events dropped", { subscription: this.config.name, blobName });
          return;
        }
        this.deps.logger.warn("dead-letter write failed; retrying", { subscription: this.config.name, error: message });
        this.deps.clock.setTimer(DEAD_LETTER_RETRY_MS, () => this.writeDeadLetter(blobName, json, entries, firstTry));
      },
    );
  }

  private tell(hop: Omit<DeliveryHop, "topic" | "subscription">): void {
    const observer = this.deps.observers?.current;
    if (observer) observer.onDelivery({ ...hop, topic: this.deps.topicName, subscription: this.config.name });
  }

  private remember<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > RECENT) list.shift();
  }
}
