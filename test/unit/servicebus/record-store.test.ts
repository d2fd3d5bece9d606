import { describe, expect, it } from "vitest";
import type { MessageRecord } from "../../../emulator/servicebus/model/message-record.js";
import { InMemoryRecordStore } from "../../../emulator/servicebus/model/record-store.js";

const record = (sequenceNumber: number): MessageRecord => ({
  sequenceNumber,
  payload: {} as MessageRecord["payload"],
  enqueuedAt: 0,
  expiresAt: Infinity,
  deliveryCount: 0,
  state: "active",
  lockToken: undefined,
  lockedUntil: 0,
});

const seqs = (it: Iterable<MessageRecord>) => [...it].map((r) => r.sequenceNumber);

describe("InMemoryRecordStore", () => {
  it("iterates in sequence order, also when a number lands in the middle", () => {
    const store = new InMemoryRecordStore();
    for (const s of [1, 2, 5, 7]) store.add(record(s));
    store.add(record(3));
    expect(seqs(store.from(0))).toEqual([1, 2, 3, 5, 7]);
    expect(seqs(store.from(4))).toEqual([5, 7]);
  });

  it("lists a sequence number once when it is deleted and added again (dead letters put back)", () => {
    const store = new InMemoryRecordStore();
    for (const s of [1, 2, 3, 4]) store.add(record(s));
    store.delete(2);
    store.add(record(2));
    expect(seqs(store.from(0))).toEqual([1, 2, 3, 4]);
    expect(store.size).toBe(4);
  });

  it("refuses the same sequence number twice while stored", () => {
    const store = new InMemoryRecordStore();
    store.add(record(1));
    expect(() => store.add(record(1))).toThrow(/already stored/);
  });
});
