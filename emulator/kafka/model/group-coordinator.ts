/**
 * The namespace-wide Kafka group coordinator: groups are created on first use (as on Event Hubs, where Kafka
 * consumer groups are unrelated to the configured Event Hubs consumer groups), validated, listed, described and
 * deleted here; committed offsets live in the OffsetStore.
 */
import { RecordObservers } from "./record-observer.js";
import type { Clock } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import { ErrorCode } from "../errors.js";
import { ConsumerGroup, type GroupDescription, type JoinRequest, type JoinResponse, type SyncResponse } from "./consumer-group.js";
import { OffsetStore } from "./offset-store.js";

export interface GroupLimits {
  /** Event Hubs: 6,000 to 300,000 ms. */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** Kafka's group.initial.rebalance.delay.ms; 0 makes a first join complete at once. */
  initialRebalanceDelayMs: number;
  /** Event Hubs: group ids of at most 256 characters. */
  maxGroupIdLength: number;
  /** Event Hubs: committed metadata of at most 1024 bytes. */
  maxOffsetMetadataBytes: number;
}

export const eventHubsGroupLimits: GroupLimits = {
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 300_000,
  initialRebalanceDelayMs: 0,
  maxGroupIdLength: 256,
  maxOffsetMetadataBytes: 1024,
};

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  readonly offsets = new OffsetStore();
  /** Told of each accepted commit (the dashboard's flow recorder). */
  readonly observers = new RecordObservers();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly limits: GroupLimits = eventHubsGroupLimits,
  ) {}

  validGroupId(groupId: string): boolean {
    return groupId.length > 0 && groupId.length <= this.limits.maxGroupIdLength;
  }

  private group(groupId: string): ConsumerGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new ConsumerGroup(groupId, this.clock, this.logger, this.limits.initialRebalanceDelayMs);
      this.groups.set(groupId, g);
    }
    return g;
  }

  join(groupId: string, req: JoinRequest): Promise<JoinResponse> {
    const fail = (errorCode: number): Promise<JoinResponse> =>
      Promise.resolve({ errorCode, generationId: -1, protocolName: "", leaderId: "", memberId: req.memberId, members: [] });
    if (!this.validGroupId(groupId)) return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.limits.minSessionTimeoutMs || req.sessionTimeoutMs > this.limits.maxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    return this.group(groupId).join(req);
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: Map<string, Buffer>): Promise<SyncResponse> {
    const g = this.groups.get(groupId);
    if (!g) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    return g.sync(memberId, generationId, assignments);
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    return this.groups.get(groupId)?.heartbeat(memberId, generationId) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberId: string): number {
    return this.groups.get(groupId)?.leave(memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Commits after Kafka's membership checks; returns one error code per entry. */
  commit(groupId: string, memberId: string, generationId: number, entries: OffsetCommitEntry[]): number[] {
    if (!this.validGroupId(groupId)) return entries.map(() => ErrorCode.INVALID_GROUP_ID);
    const check = this.group(groupId).checkCommit(memberId, generationId);
    const now = this.clock.now();
    return entries.map((e) => {
      if (check !== ErrorCode.NONE) return check;
      if (e.metadata !== null && Buffer.byteLength(e.metadata) > this.limits.maxOffsetMetadataBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      this.offsets.commit({ group: groupId, topic: e.topic, partition: e.partition, offset: e.offset, metadata: e.metadata, commitTimestamp: now });
      this.observers.current?.onCommitted(groupId, e.topic, e.partition, e.offset);
      return ErrorCode.NONE;
    });
  }

  /** Groups known to the coordinator: with members, or with committed offsets. */
  list(): { groupId: string; protocolType: string }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groupIds()]);
    return [...ids].map((groupId) => ({ groupId, protocolType: this.groups.get(groupId)?.protocolType || "consumer" }));
  }

  /** Every known group's description (the dashboard). */
  describeAll(): { groupId: string; description: GroupDescription }[] {
    return this.list().map(({ groupId }) => ({ groupId, description: this.describe(groupId) }));
  }

  /** Kafka answers "Dead" for a group it does not know. */
  describe(groupId: string): GroupDescription {
    const g = this.groups.get(groupId);
    if (g) return g.describe();
    const known = this.offsets.hasGroup(groupId);
    return { state: known ? "Empty" : "Dead", protocolType: known ? "consumer" : "", protocolName: "", members: [] };
  }

  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g && !this.offsets.hasGroup(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g && g.state !== "Empty") return ErrorCode.NON_EMPTY_GROUP;
    g?.close();
    this.groups.delete(groupId);
    this.offsets.deleteGroup(groupId);
    return ErrorCode.NONE;
  }

  close(): void {
    for (const g of this.groups.values()) g.close();
  }
}
