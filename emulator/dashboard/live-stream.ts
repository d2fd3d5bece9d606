/**
 * The dashboard's live updates: one server-sent-events stream (`GET /dashboard/events`) per open page. Changes are
 * not pushed one by one: they mark what changed (a section: servicebus, eventgrid, kafka, functions, clock; and the
 * keys of the flows that got a hop), and a tick at most every PUSH_INTERVAL_MS sends one small event naming them;
 * the page then fetches only what it shows. So a busy emulator costs a connected page a few pushes a second,
 * whatever its message rate, and nothing at all is marked while no page is connected.
 *
 * Each client's unsent bytes are bounded: a page that does not read (a paused tab, a stalled socket) is dropped
 * once its socket buffers MAX_BUFFERED_BYTES, instead of the emulator buffering for it without limit; the page's
 * EventSource reconnects by itself and refetches everything.
 *
 * The tick runs on a real timer, not on the emulator clock: it paces a screen, and must run while tests hold the
 * emulator's clock still.
 */
import type http from "node:http";

export type Section = "servicebus" | "eventgrid" | "kafka" | "functions" | "clock";

export const PUSH_INTERVAL_MS = 250;
/** Flow keys named per push; beyond that the event says `manyFlows` and a page refetches the flow it shows. */
export const MAX_FLOW_KEYS_PER_PUSH = 100;
export const MAX_BUFFERED_BYTES = 256 * 1024;
const HEARTBEAT_MS = 15_000;

export class LiveStream {
  private readonly clients = new Set<http.ServerResponse>();
  private readonly sections = new Set<Section>();
  private readonly flowKeys = new Set<string>();
  private manyFlows = false;
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;

  get clientCount(): number {
    return this.clients.size;
  }

  /** Marks a section changed; a no-op while no page listens. */
  touch(section: Section): void {
    if (this.clients.size > 0) this.sections.add(section);
  }

  /** Marks flows changed (and their service's section). */
  touchFlows(keys: readonly string[], section: Section): void {
    if (this.clients.size === 0) return;
    this.sections.add(section);
    if (this.manyFlows) return;
    for (const key of keys) this.flowKeys.add(key);
    if (this.flowKeys.size > MAX_FLOW_KEYS_PER_PUSH) {
      this.manyFlows = true;
      this.flowKeys.clear();
    }
  }

  /** Takes a `GET /dashboard/events` request: the stream stays open until the page or the emulator closes it. */
  open(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    // The page loads its state after `hello`, so nothing that changes in between is missed.
    res.write("retry: 1000\nevent: hello\ndata: {}\n\n");
    this.lastWrite = Date.now();
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on("close", drop);
    res.on("close", drop);
    res.on("error", drop);
    this.timer ??= setInterval(() => this.push(), PUSH_INTERVAL_MS).unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const res of this.clients) res.destroy();
    this.clients.clear();
  }

  private push(): void {
    if (this.clients.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    let frame: string;
    if (this.sections.size > 0 || this.manyFlows) {
      const body = { sections: [...this.sections], flows: [...this.flowKeys], manyFlows: this.manyFlows };
      frame = `event: changed\ndata: ${JSON.stringify(body)}\n\n`;
      this.sections.clear();
      this.flowKeys.clear();
      this.manyFlows = false;
    } else if (now - this.lastWrite >= HEARTBEAT_MS) {
      frame = ": keep-alive\n\n"; // a comment: keeps proxies and idle timeouts from closing a quiet stream
    } else return;
    this.lastWrite = now;
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }
}
