/**
 * The group state machine driven directly on the emulator clock, for the timing paths kafkajs rarely hits:
 * rebalance timeout eviction, pending member ids expiring, stale generations and commits during a rebalance.
 */
import { afterEach, expect, test } from "vitest";
import { EmulatorClock } from "../../../emulator/common/clock.js";
import { createLogger } from "../../../emulator/common/logger.js";
import { ErrorCode } from "../../../emulator/kafka/errors.js";
import type { JoinRequest } from "../../../emulator/kafka/model/consumer-group.js";
import { GroupCoordinator } from "../../../emulator/kafka/model/group-coordinator.js";

const clock = new EmulatorClock();
afterEach(() => clock.dispose());
const coordinator = () => new GroupCoordinator(clock, createLogger("silent"));

const join = (memberId: string, overrides: Partial<JoinRequest> = {}): JoinRequest => ({
  memberId,
  groupInstanceId: null,
  clientId: "c",
  clientHost: "127.0.0.1",
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 20_000,
  protocolType: "consumer",
  protocols: [{ name: "RoundRobinAssigner", metadata: Buffer.from("m") }],
  requireKnownMemberId: true,
  ...overrides,
});

async function member(groups: GroupCoordinator, group: string): Promise<string> {
  const first = await groups.join(group, join(""));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return first.memberId;
}

test("a member that does not rejoin within the rebalance timeout is evicted and the others complete the rebalance", async () => {
  const groups = coordinator();
  const a = await member(groups, "g");
  const joinedA = await groups.join("g", join(a));
  expect(joinedA).toMatchObject({ errorCode: 0, generationId: 1, leaderId: a });
  await groups.sync("g", a, 1, new Map([[a, Buffer.from("all")]]));

  const b = await member(groups, "g");
  const parkedB = groups.join("g", join(b));
  expect(groups.heartbeat("g", a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  // a commits before rejoining, as Kafka allows during PreparingRebalance.
  expect(groups.commit("g", a, 1, [{ topic: "t", partition: 0, offset: 5, metadata: null }])).toEqual([ErrorCode.NONE]);

  clock.advance(20_000);
  const joinedB = await parkedB;
  expect(joinedB).toMatchObject({ errorCode: 0, generationId: 2, leaderId: b });
  expect(joinedB.members.map((m) => m.memberId)).toEqual([b]);
  expect(groups.heartbeat("g", a, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
});

test("a pending member id that never comes back expires after the session timeout", async () => {
  const groups = coordinator();
  const a = await member(groups, "g");
  await groups.join("g", join(a, { sessionTimeoutMs: 30_000 }));
  await groups.sync("g", a, 1, new Map());
  const ghost = await member(groups, "g");
  clock.advance(10_000);
  expect((await groups.join("g", join(ghost))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  // A pending id never started a rebalance, so the group stayed as it was.
  expect(groups.describe("g")).toMatchObject({ state: "Stable", members: [{ memberId: a }] });
});

test("stale generations and commits during CompletingRebalance are refused with Kafka's codes", async () => {
  const groups = coordinator();
  const a = await member(groups, "g");
  await groups.join("g", join(a));
  expect(groups.describe("g").state).toBe("CompletingRebalance");
  expect(groups.commit("g", a, 1, [{ topic: "t", partition: 0, offset: 1, metadata: null }])).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
  expect(groups.heartbeat("g", a, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
  expect((await groups.sync("g", a, 7, new Map())).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  expect((await groups.sync("g", a, 1, new Map([[a, Buffer.from("x")]])))).toEqual({ errorCode: 0, assignment: Buffer.from("x") });
  expect(groups.commit("g", a, 1, [{ topic: "t", partition: 0, offset: 1, metadata: "x".repeat(1025) }])).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  expect((await groups.join("g", join("", { sessionTimeoutMs: 5_000 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  expect((await groups.join("g", join("", { protocolType: "connect" }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
});

test("a member whose session expires is removed and the group empties", async () => {
  const groups = coordinator();
  const a = await member(groups, "g");
  await groups.join("g", join(a));
  await groups.sync("g", a, 1, new Map());
  // The clock keeps wall time too: each step leaves a second of margin before the 10 s session ends, so a slow
  // machine cannot expire it early (a heartbeat 1 ms before the end failed on a loaded CI run), then the last step
  // goes past the end of the session the heartbeat renewed (wall time only ever adds).
  clock.advance(9_000);
  expect(groups.heartbeat("g", a, 1)).toBe(ErrorCode.NONE);
  clock.advance(9_000);
  expect(groups.describe("g").state).toBe("Stable");
  clock.advance(1_001);
  expect(groups.describe("g")).toMatchObject({ state: "Empty", members: [] });
});
