/**
 * One Kafka consumer group with the classic rebalance protocol, as Kafka's GroupCoordinator runs it:
 * Empty -> PreparingRebalance -> CompletingRebalance -> Stable, back to PreparingRebalance on any join, leave or
 * session expiry. Every timer (session, rebalance, initial delay) runs on the emulator clock, so tests move time
 * instead of sleeping. Membership is not tied to TCP connections: a member that vanishes is evicted when its
 * session expires, as on Kafka and Event Hubs.
 */
import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../../common/clock.js";
import type { Logger } from "../../common/logger.js";
import { ErrorCode } from "../errors.js";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+: an empty member id is answered with MEMBER_ID_REQUIRED and a minted id. */
  requireKnownMemberId: boolean;
}

export interface JoinResponse {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResponse {
  errorCode: number;
  assignment: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** A member keeps what it joined with, less the per-request fields. */
interface Member extends Omit<JoinRequest, "protocolType" | "requireKnownMemberId"> {
  assignment: Buffer;
  awaitingJoin?: (r: JoinResponse) => void;
  awaitingSync?: (r: SyncResponse) => void;
  sessionTimer?: TimerHandle;
}

export interface GroupDescription {
  state: GroupState | "Dead";
  protocolType: string;
  protocolName: string;
  members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

export class ConsumerGroup {
  state: GroupState = "Empty";
  generationId = 0;
  protocolType = "";
  protocolName = "";
  leaderId = "";
  private readonly members = new Map<string, Member>();
  private readonly pendingMemberIds = new Map<string, TimerHandle>();
  private rebalanceTimer: TimerHandle | undefined;
  private delayTimer: TimerHandle | undefined;

  constructor(
    readonly groupId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  get size(): number {
    return this.members.size;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  join(req: JoinRequest): Promise<JoinResponse> {
    if (!req.protocolType || req.protocols.length === 0) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    if (this.members.size > 0) {
      const supported = this.commonProtocols();
      const compatible = req.protocolType === this.protocolType && req.protocols.some((p) => supported.has(p.name));
      const onlyMember = this.members.size === 1 && this.members.has(req.memberId);
      if (!compatible && !onlyMember) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    if (req.memberId === "") {
      const memberId = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        const timer = this.clock.setTimer(req.sessionTimeoutMs, () => {
          this.pendingMemberIds.delete(memberId);
          this.tryCompleteJoin();
        });
        this.pendingMemberIds.set(memberId, timer);
        return Promise.resolve(this.joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMember(memberId, req);
    }
    const pending = this.pendingMemberIds.get(req.memberId);
    if (pending) {
      pending.cancel();
      this.pendingMemberIds.delete(req.memberId);
      return this.addMember(req.memberId, req);
    }
    const member = this.members.get(req.memberId);
    if (!member) return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    return this.rejoin(member, req);
  }

  private addMember(memberId: string, req: JoinRequest): Promise<JoinResponse> {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: EMPTY,
    };
    this.members.set(memberId, member);
    if (!this.leaderId) this.leaderId = memberId;
    if (this.members.size === 1) this.protocolType = req.protocolType;
    this.logger.debug("member joined", { group: this.groupId, member: memberId });
    const parked = this.park(member);
    if (this.state !== "PreparingRebalance") this.prepareRebalance(`${memberId} joined`);
    this.tryCompleteJoin();
    return parked;
  }

  private rejoin(member: Member, req: JoinRequest): Promise<JoinResponse> {
    const sameMetadata = sameProtocols(member.protocols, req.protocols);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if ((this.state === "Stable" || this.state === "CompletingRebalance") && sameMetadata && member.memberId !== this.leaderId) {
      // A follower re-sending the same subscription gets the current generation back, without a rebalance.
      this.armSession(member);
      return Promise.resolve(this.joinResponse(member));
    }
    const parked = this.park(member);
    if (this.state !== "PreparingRebalance") this.prepareRebalance(`${member.memberId} rejoined`);
    this.tryCompleteJoin();
    return parked;
  }

  private park(member: Member): Promise<JoinResponse> {
    member.sessionTimer?.cancel();
    member.sessionTimer = undefined;
    member.awaitingJoin?.(this.joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  private prepareRebalance(reason: string): void {
    const wasEmpty = this.state === "Empty";
    if (this.state === "CompletingRebalance") {
      for (const m of this.members.values()) this.answerSync(m, ErrorCode.REBALANCE_IN_PROGRESS, EMPTY);
    }
    this.state = "PreparingRebalance";
    this.logger.debug("rebalance", { group: this.groupId, reason, generation: this.generationId });
    this.rebalanceTimer?.cancel();
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalanceTimer = this.clock.setTimer(timeout, () => this.onRebalanceTimeout());
    if (wasEmpty && this.initialRebalanceDelayMs > 0) {
      this.delayTimer = this.clock.setTimer(this.initialRebalanceDelayMs, () => {
        this.delayTimer = undefined;
        this.tryCompleteJoin();
      });
    }
  }

  private tryCompleteJoin(): void {
    if (this.state !== "PreparingRebalance" || this.delayTimer || this.pendingMemberIds.size > 0) return;
    for (const m of this.members.values()) if (!m.awaitingJoin) return;
    this.completeJoin();
  }

  private onRebalanceTimeout(): void {
    if (this.state !== "PreparingRebalance") return;
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin) this.removeMember(m, "did not rejoin within the rebalance timeout");
    }
    for (const t of this.pendingMemberIds.values()) t.cancel();
    this.pendingMemberIds.clear();
    this.delayTimer?.cancel();
    this.delayTimer = undefined;
    this.completeJoin();
  }

  private completeJoin(): void {
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = undefined;
    this.generationId++;
    if (this.members.size === 0) {
      this.state = "Empty";
      this.protocolName = "";
      this.leaderId = "";
      return;
    }
    this.protocolName = this.electProtocol();
    if (!this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value as string;
    this.state = "CompletingRebalance";
    this.logger.debug("generation", { group: this.groupId, generation: this.generationId, members: this.members.size, protocol: this.protocolName });
    for (const m of this.members.values()) {
      const answer = m.awaitingJoin;
      m.awaitingJoin = undefined;
      answer?.(this.joinResponse(m));
      this.armSession(m);
    }
  }

  private joinResponse(member: Member): JoinResponse {
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolName: this.protocolName,
      leaderId: this.leaderId,
      memberId: member.memberId,
      members:
        member.memberId === this.leaderId
          ? [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: this.metadataOf(m) }))
          : [],
    };
  }

  private joinError(errorCode: number, memberId: string): JoinResponse {
    return { errorCode, generationId: -1, protocolName: "", leaderId: "", memberId, members: [] };
  }

  private commonProtocols(): Set<string> {
    let common: Set<string> | undefined;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      common = common ? new Set([...common].filter((n) => names.has(n))) : names;
    }
    return common ?? new Set();
  }

  /** Each member votes for its first protocol that every member supports; the most votes wins. */
  private electProtocol(): string {
    const common = this.commonProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => common.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = "";
    let most = -1;
    for (const [name, n] of votes) if (n > most) [best, most] = [name, n];
    return best;
  }

  private metadataOf(member: Member): Buffer {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY;
  }

  sync(memberId: string, generationId: number, assignments: Map<string, Buffer>): Promise<SyncResponse> {
    const member = this.members.get(memberId);
    if (!member) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generationId !== this.generationId) return Promise.resolve({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    if (this.state === "PreparingRebalance") return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    this.armSession(member);
    if (this.state === "Stable") return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    const parked = new Promise<SyncResponse>((resolve) => {
      member.awaitingSync = resolve;
    });
    if (memberId === this.leaderId) {
      for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
      this.state = "Stable";
      this.logger.debug("stable", { group: this.groupId, generation: this.generationId });
      for (const m of this.members.values()) this.answerSync(m, ErrorCode.NONE, m.assignment);
    }
    return parked;
  }

  private answerSync(member: Member, errorCode: number, assignment: Buffer): void {
    const answer = member.awaitingSync;
    member.awaitingSync = undefined;
    answer?.({ errorCode, assignment });
  }

  heartbeat(memberId: string, generationId: number): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.armSession(member);
    return this.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(memberId: string): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member, "left the group");
    this.afterMemberGone();
    return ErrorCode.NONE;
  }

  /** Kafka's checks before an OffsetCommit; a valid commit also counts as a sign of life. */
  checkCommit(memberId: string, generationId: number): number {
    if (generationId < 0 && memberId === "" && this.members.size === 0) return ErrorCode.NONE;
    if (this.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (!member.awaitingJoin) this.armSession(member);
    return ErrorCode.NONE;
  }

  describe(): GroupDescription {
    const stable = this.state === "Stable";
    return {
      state: this.state,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? this.metadataOf(m) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  private armSession(member: Member): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.clock.setTimer(member.sessionTimeoutMs, () => {
      member.sessionTimer = undefined;
      if (member.awaitingJoin || this.members.get(member.memberId) !== member) return;
      this.removeMember(member, "session timed out");
      this.afterMemberGone();
    });
  }

  private removeMember(member: Member, reason: string): void {
    this.logger.debug("member removed", { group: this.groupId, member: member.memberId, reason });
    member.sessionTimer?.cancel();
    member.sessionTimer = undefined;
    this.members.delete(member.memberId);
    const join = member.awaitingJoin;
    member.awaitingJoin = undefined;
    join?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    this.answerSync(member, ErrorCode.UNKNOWN_MEMBER_ID, EMPTY);
    if (this.leaderId === member.memberId) this.leaderId = this.members.keys().next().value ?? "";
  }

  private afterMemberGone(): void {
    if (this.state === "Stable" || this.state === "CompletingRebalance") this.prepareRebalance("a member left");
    this.tryCompleteJoin();
  }

  /** Cancels every timer and answers parked requests (the server is shutting down). */
  close(): void {
    this.rebalanceTimer?.cancel();
    this.delayTimer?.cancel();
    for (const t of this.pendingMemberIds.values()) t.cancel();
    for (const m of this.members.values()) {
      m.sessionTimer?.cancel();
      const join = m.awaitingJoin;
      m.awaitingJoin = undefined;
      join?.(this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
      this.answerSync(m, ErrorCode.COORDINATOR_NOT_AVAILABLE, EMPTY);
    }
  }
}

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
