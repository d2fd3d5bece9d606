/** The live stream's pacing and its bound per page: coalesced pushes, and a page that does not read is dropped. */
import { EventEmitter } from "node:events";
import type http from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveStream, MAX_BUFFERED_BYTES } from "../../../emulator/dashboard/live-stream.js";
import { MAX_FLOW_KEYS_PER_PUSH, PUSH_INTERVAL_MS } from "../../../emulator/dashboard/live-stream.js";

/** A response as the stream uses it: what was written, and how much the socket still holds. */
function fakePage() {
  const res = Object.assign(new EventEmitter(), {
    frames: [] as string[],
    writableLength: 0,
    destroyed: false,
    writeHead: () => res,
    write(frame: string) {
      res.frames.push(frame);
      return true;
    },
    destroy() {
      res.destroyed = true;
      res.emit("close");
    },
  });
  return res;
}

const open = (stream: LiveStream) => {
  const page = fakePage();
  stream.open(new EventEmitter() as http.IncomingMessage, page as unknown as http.ServerResponse);
  return page;
};

let stream: LiveStream;
beforeEach(() => {
  vi.useFakeTimers();
  stream = new LiveStream();
});
afterEach(() => {
  stream.close();
  vi.useRealTimers();
});

describe("the dashboard's live stream", () => {
  it("sends one push per interval naming what changed, however many changes there were", () => {
    const page = open(stream);
    for (let i = 0; i < 10_000; i++) stream.touchFlows([`c${i % 3}`], "servicebus");
    stream.touch("clock");
    vi.advanceTimersByTime(PUSH_INTERVAL_MS);
    vi.advanceTimersByTime(PUSH_INTERVAL_MS); // nothing new: nothing sent
    expect(page.frames).toEqual([
      "retry: 1000\nevent: hello\ndata: {}\n\n",
      'event: changed\ndata: {"sections":["servicebus","clock"],"flows":["c0","c1","c2"],"manyFlows":false}\n\n',
    ]);
  });

  it("names at most its number of flows per push, then just says many changed", () => {
    const page = open(stream);
    for (let i = 0; i <= MAX_FLOW_KEYS_PER_PUSH; i++) stream.touchFlows([`c${i}`], "kafka");
    vi.advanceTimersByTime(PUSH_INTERVAL_MS);
    expect(page.frames[1]).toBe('event: changed\ndata: {"sections":["kafka"],"flows":[],"manyFlows":true}\n\n');
  });

  it("drops a page whose socket holds more than its bound, and keeps serving the others", () => {
    const slow = open(stream);
    const fast = open(stream);
    slow.writableLength = MAX_BUFFERED_BYTES + 1;
    stream.touch("eventgrid");
    vi.advanceTimersByTime(PUSH_INTERVAL_MS);
    expect(slow.destroyed).toBe(true);
    expect(slow.frames).toHaveLength(1);
    expect(fast.frames).toHaveLength(2);
    expect(stream.clientCount).toBe(1);
  });

  it("marks nothing while no page listens", () => {
    stream.touchFlows(["c"], "servicebus");
    const page = open(stream);
    vi.advanceTimersByTime(PUSH_INTERVAL_MS);
    expect(page.frames).toHaveLength(1);
  });
});
