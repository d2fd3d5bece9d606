/** What every API handler receives: the request body, the connection it came on, and the broker's state. */
import type { Clock } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import type { Reader } from "../codec/reader.js";
import type { Writer } from "../codec/writer.js";
import { KafkaApiError, refuse } from "../errors.js";
import type { EventHubNamespace } from "../model/event-hub-namespace.js";
import type { GroupCoordinator } from "../model/group-coordinator.js";
import type { RecordObservers } from "../model/record-observer.js";
import type { ProducerIdAllocator } from "../model/producer-state.js";
import type { BatchLimits } from "../record-batch.js";
import type { Principal, Right, SasPolicy } from "../sasl.js";

export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface BrokerSettings extends BatchLimits {
  policies: readonly SasPolicy[];
  /** The host the Metadata and FindCoordinator answers point clients to (the port is the connection's listener's). */
  advertisedHost: string;
  clusterId: string;
}

export interface BrokerState {
  readonly namespace: EventHubNamespace;
  readonly groups: GroupCoordinator;
  /** Hands out idempotent producers' ids (InitProducerId). */
  readonly producerIds: ProducerIdAllocator;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: BrokerSettings;
  /** Who is told of appends (the dashboard); commits reach it through the group coordinator. */
  readonly observers: RecordObservers;
  /** The APIs and versions advertised in ApiVersions. */
  readonly apis: readonly ApiRange[];
  /** Applies retention now (reads call it so deletions are exact on the emulator clock). */
  expire(): void;
}

/**
 * "raw-token": after SaslHandshake v0 the next packet is the bare SASL token, not a Kafka request (pre-KIP-152
 * clients such as kafka-python 2.0.2); "authenticate": after v1 the token comes framed in SaslAuthenticate.
 */
export type SaslState = "handshake" | "authenticate" | "raw-token" | "authenticated";

export interface ConnectionState {
  readonly id: number;
  readonly clientHost: string;
  /** The port of the listener this connection came in on: Metadata points a TLS client back to the TLS port. */
  readonly advertisedPort: number;
  sasl: SaslState;
  principal: Principal | undefined;
  /** Set by a handler to close the connection once its response is written (failed SASL). */
  closeAfterResponse: boolean;
  readonly closed: boolean;
  /** Registers a callback for when the connection closes (ends a parked long poll); returns an unregister. */
  onClose(fn: () => void): () => void;
  /** Runs `fn` once the current request's response has been handed to the kernel (or was never sent). */
  afterResponse(fn: () => void): void;
}

export interface RequestContext {
  readonly broker: BrokerState;
  readonly conn: ConnectionState;
  readonly apiVersion: number;
  readonly clientId: string;
}

export interface ApiHandler {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Returns the response body, or null when no response is sent (Produce with acks=0). */
  handle(body: Reader, ctx: RequestContext): Writer | null | Promise<Writer | null>;
}

/** The error that refuses access to `topic`, or undefined when the connection's credential allows `right` on it. */
export function checkAccess(ctx: RequestContext, topic: string, right: Right): KafkaApiError | undefined {
  const p = ctx.conn.principal;
  if (!p) return refuse.notAuthorized(topic, right);
  if (p.entityPath !== undefined && p.entityPath.toLowerCase() !== topic.toLowerCase()) return refuse.notAuthorized(topic, right);
  if (!p.rights.has(right)) return refuse.notAuthorized(topic, right);
  return undefined;
}

/** Whether the connection may see `topic` at all (EntityPath scoping). */
export function visible(ctx: RequestContext, topic: string): boolean {
  const scope = ctx.conn.principal?.entityPath;
  return scope === undefined || scope.toLowerCase() === topic.toLowerCase();
}
