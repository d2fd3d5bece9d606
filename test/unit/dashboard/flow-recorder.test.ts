/** The flow recorder's filing and bounds: ids a user types, time order, and memory that stays bounded. */
import { describe, expect, it } from "vitest";
import { FlowRecorder, traceIdOf } from "../../../emulator/dashboard/flow-recorder.js";

const hop = (kind: string) => ({ service: "servicebus" as const, kind, where: "q", detail: "" });

describe("the flow recorder", () => {
  it("files a hop under its correlation id and its trace id, and under the message id only when it has neither", () => {
    const recorder = new FlowRecorder(() => 1000);
    recorder.record({ correlationId: "c1", traceId: "t1", fallbackId: "m1" }, hop("sent"));
    recorder.record({ fallbackId: "m2" }, hop("sent"));
    expect(recorder.flow("c1")?.hops.map((h) => h.kind)).toEqual(["sent"]);
    expect(recorder.flow("t1")?.hops.map((h) => h.kind)).toEqual(["sent"]);
    expect(recorder.flow("m1")).toBeUndefined();
    expect(recorder.flow("m2")?.hops).toHaveLength(1);
  });

  it("reads the trace id of a W3C traceparent (or Diagnostic-Id), and finds it whatever the case typed", () => {
    const recorder = new FlowRecorder(() => 0);
    const traceId = traceIdOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
    expect(traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(traceIdOf("not a traceparent")).toBeUndefined();
    recorder.record({ traceId }, hop("sent"));
    expect(recorder.flow("4BF92F3577B34DA6A3CE929D0E0E4736")?.hops).toHaveLength(1);
  });

  it("puts a hop reported when it ended (an invocation) before the hops that happened while it ran", () => {
    let now = 100;
    const recorder = new FlowRecorder(() => now);
    recorder.record({ correlationId: "c" }, hop("before"));
    now = 110;
    recorder.record({ correlationId: "c" }, hop("during"));
    now = 120;
    recorder.record({ correlationId: "c" }, hop("invoked"), 105);
    recorder.record({ correlationId: "c" }, hop("after"));
    expect(recorder.flow("c")?.hops.map((h) => h.kind)).toEqual(["before", "invoked", "during", "after"]);
  });

  it("keeps at most its number of flows, dropping the least recently touched, and its number of hops per flow", () => {
    const recorder = new FlowRecorder(() => 0, 4, 2);
    for (const id of ["a", "b", "c"]) recorder.record({ correlationId: id }, hop("sent"));
    recorder.record({ correlationId: "a" }, hop("delivered")); // a is now the most recent
    recorder.record({ correlationId: "d" }, hop("sent"));
    expect(recorder.size).toBe(3);
    expect(recorder.flow("b")).toBeUndefined();
    expect(recorder.recent().map((f) => f.key)).toEqual(["d", "a", "c"]);
    // However many flows come, at most 4 are kept, and always the 2 (half) most recently touched.
    for (let i = 0; i < 1000; i++) recorder.record({ correlationId: `x${i}` }, hop("sent"));
    for (const id of ["a", "c"]) recorder.record({ correlationId: id }, hop("sent"));
    expect(recorder.size).toBeLessThanOrEqual(4);
    expect(recorder.recent().map((f) => f.key).slice(0, 2)).toEqual(["c", "a"]);
    recorder.record({ correlationId: "c" }, hop("delivered"));
    recorder.record({ correlationId: "c" }, hop("completed"));
    expect(recorder.flow("c")).toMatchObject({ dropped: 1, hops: [{ kind: "delivered" }, { kind: "completed" }] });
  });
});
