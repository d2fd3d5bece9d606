/** The durable mode's write-ahead log: framing with length + CRC, torn tails cut off, group commit, rewrite. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeRecord, encodeAdd, encodeUpdate, LogType } from "../../../emulator/servicebus/durable/log-records.js";
import { frame, WriteAheadLog } from "../../../emulator/servicebus/durable/write-ahead-log.js";

const dir = mkdtempSync(join(tmpdir(), "sb-wal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `log-${++files}`);
const text = (bodies: Buffer[]) => bodies.map((b) => b.toString());

describe("write-ahead log", () => {
  it("reads back what was appended, after the group commit", async () => {
    const file = newFile();
    const { log, bodies } = WriteAheadLog.open(file);
    expect(bodies).toEqual([]);
    for (let i = 0; i < 500; i++) log.append(Buffer.from(`record-${i}`));
    const pending = log.durable();
    // Everything appended in one turn waits for the same sync.
    expect(log.durable()).toBe(pending);
    await pending;
    expect(log.durable()).toBeUndefined();
    log.close();
    const reopened = WriteAheadLog.open(file);
    expect(reopened.bodies.length).toBe(500);
    expect(reopened.bodies[499].toString()).toBe("record-499");
    reopened.log.close();
  });

  it("cuts off a record torn by a crash, and one whose CRC does not match, then appends after them", async () => {
    const file = newFile();
    writeFileSync(file, Buffer.concat([frame(Buffer.from("one")), frame(Buffer.from("two"))]));
    const whole = statSync(file).size;
    appendFileSync(file, frame(Buffer.from("three")).subarray(0, 10));
    const torn = WriteAheadLog.open(file);
    expect(text(torn.bodies)).toEqual(["one", "two"]);
    expect(torn.droppedBytes).toBe(10);
    expect(statSync(file).size).toBe(whole);
    torn.log.append(Buffer.from("four"));
    await torn.log.durable();
    torn.log.close();

    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff; // the last record's body no longer matches its CRC
    writeFileSync(file, bytes);
    const corrupt = WriteAheadLog.open(file);
    expect(text(corrupt.bodies)).toEqual(["one", "two"]);
    corrupt.log.close();
  });

  it("rewrites the file with a snapshot and keeps appending to the new one", async () => {
    const file = newFile();
    const { log } = WriteAheadLog.open(file);
    for (let i = 0; i < 100; i++) log.append(Buffer.alloc(1000, i));
    log.append(Buffer.from("queued before the rewrite"));
    log.rewrite([Buffer.from("snapshot")]);
    log.append(Buffer.from("after"));
    await log.durable();
    log.close();
    const reread = WriteAheadLog.open(file);
    expect(text(reread.bodies)).toEqual(["snapshot", "after"]);
    reread.log.close();
  });
});

describe("log records", () => {
  it("round-trip a message with its optional fields and an update that carries new properties", () => {
    const message = {
      sequenceNumber: 42,
      enqueuedAt: 1_700_000_000_000,
      expiresAt: Infinity,
      deliveryCount: 3,
      state: "deferred" as const,
      sessionId: "s-1",
      deadLetterSource: "q1",
      transferHops: 2,
      wasScheduled: true,
    };
    const add = decodeRecord(encodeAdd("t1/Subscriptions/s1", message, Buffer.from("payload")));
    expect(add).toEqual({ type: LogType.Add, path: "t1/Subscriptions/s1", message, payload: Buffer.from("payload") });
    const update = decodeRecord(encodeUpdate("q1", 42, 4, "active", Buffer.from("new")));
    expect(update).toEqual({ type: LogType.Update, path: "q1", sequenceNumber: 42, deliveryCount: 4, state: "active", payload: Buffer.from("new") });
    expect(() => decodeRecord(Buffer.from([99]))).toThrow(RangeError);
  });
});
