/**
 * The Kafka wire protocol, written by hand: there is no maintained server-side Kafka protocol library for Node
 * (npm has clients, codecs and API mocks only), so each API the Event Hubs Kafka endpoint serves to kafkajs 2.2.4
 * has one file here that decodes its request and encodes its response for the versions it advertises.
 *
 * Versions are those Event Hubs advertises, capped to what is implemented, so kafkajs negotiates locally what it
 * negotiates against Azure (Produce v7, Fetch v6, ListOffsets v3, Metadata v5, OffsetCommit v5, OffsetFetch v4,
 * FindCoordinator v2, JoinGroup v5, Heartbeat v3, LeaveGroup v3, SyncGroup v3, SaslHandshake v1,
 * SaslAuthenticate v1, ApiVersions v2, InitProducerId v1 for idempotent producers). Not advertised, as on a Standard
 * namespace: the transaction APIs, CreatePartitions, DeleteTopics.
 */
import { apiVersions } from "./api-versions.js";
import { createTopics } from "./create-topics.js";
import { deleteGroups } from "./delete-groups.js";
import { describeGroups } from "./describe-groups.js";
import { fetch } from "./fetch.js";
import { findCoordinator } from "./find-coordinator.js";
import { heartbeat } from "./heartbeat.js";
import { initProducerId } from "./init-producer-id.js";
import { joinGroup } from "./join-group.js";
import { leaveGroup } from "./leave-group.js";
import { listGroups } from "./list-groups.js";
import { listOffsets } from "./list-offsets.js";
import { metadata } from "./metadata.js";
import { offsetCommit } from "./offset-commit.js";
import { offsetFetch } from "./offset-fetch.js";
import { produce } from "./produce.js";
import { saslAuthenticate } from "./sasl-authenticate.js";
import { saslHandshake } from "./sasl-handshake.js";
import { syncGroup } from "./sync-group.js";
import type { ApiHandler, ApiRange } from "./types.js";

export const handlers: ReadonlyMap<number, ApiHandler> = new Map(
  [
    produce,
    fetch,
    listOffsets,
    metadata,
    offsetCommit,
    offsetFetch,
    findCoordinator,
    joinGroup,
    heartbeat,
    leaveGroup,
    syncGroup,
    describeGroups,
    listGroups,
    saslHandshake,
    apiVersions,
    createTopics,
    saslAuthenticate,
    deleteGroups,
    initProducerId,
  ].map((h) => [h.apiKey, h]),
);

export const advertisedApis: readonly ApiRange[] = [...handlers.values()]
  .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey);

/** API keys allowed before SASL completes. */
export const PRE_AUTH_APIS = new Set([apiVersions.apiKey, saslHandshake.apiKey, saslAuthenticate.apiKey]);
