/**
 * One outgoing HTTP request for delivery or a handshake, with the attempt timeout on the emulator clock (so tests can
 * make an endpoint time out by moving the clock), kept in the destination's deadline queue rather than a timer each.
 *
 * Requests go through undici's dispatcher (keep-alive pools per origin): per request it costs about half the CPU of a
 * node:http ClientRequest, and sends the request in fewer segments, which the endpoint's side pays for too.
 */
import type { Dispatcher } from "undici";
import type { Expiring, RequestDeadlines } from "./request-deadlines.js";

export type HttpHeaders = Record<string, string | string[] | undefined>;

export interface HttpAnswer {
  status: number;
  headers: HttpHeaders;
  body: Buffer;
}

/**
 * Enough connections per endpoint for every subscription's deliveries in flight to the same app. undici is loaded on
 * the first request, not at start: its import is a large share of the CLI's start-up time, and many runs push nothing.
 */
let dispatcher: Dispatcher | undefined;
let loadingDispatcher: Promise<Dispatcher> | undefined;
function loadDispatcher(): Promise<Dispatcher> {
  loadingDispatcher ??= import("undici").then(({ Agent }) => (dispatcher = new Agent({ connections: 256 })));
  return loadingDispatcher;
}

/** Largest response body kept (validation answers are tiny; the rest is drained). */
const MAX_KEPT_BODY = 64 * 1024;

export interface HttpRequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  deadlines: RequestDeadlines;
}

/** Collects one answer; a class rather than closures, as it runs once per delivery. */
class AnswerCollector implements Dispatcher.DispatchHandler, Expiring {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private status = 0;
  private headers: HttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  deadline = 0;
  deadlinePrev: Expiring | undefined = undefined;
  deadlineNext: Expiring | undefined = undefined;

  constructor(
    private readonly deadlines: RequestDeadlines,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Timed out while waiting for a connection: abort as soon as undici hands the request a socket.
    if (this.settled) controller.abort(new Error("timed out before it was sent"));
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: HttpHeaders): void {
    this.status = status;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.kept >= MAX_KEPT_BODY) return;
    this.chunks.push(chunk);
    this.kept += chunk.length;
  }

  onResponseEnd(): void {
    if (!this.settle()) return;
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settle()) this.reject(err);
  }

  expire(): void {
    if (!this.settle()) return;
    const err = Object.assign(new Error(`no answer within ${this.deadlines.timeoutMs / 1000} s`), { code: "TimedOut" });
    this.controller?.abort(err);
    this.reject(err);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.deadlines.delete(this);
    return true;
  }
}

export function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const target = typeof url === "string" ? new URL(url) : url;
  return new Promise((resolve, reject) => {
    const collector = new AnswerCollector(options.deadlines, resolve, reject);
    options.deadlines.add(collector);
    const send = (to: Dispatcher) => {
      try {
        const method = options.method as Dispatcher.HttpMethod;
        const path = target.pathname + target.search;
        to.dispatch({ origin: target.origin, path, method, headers: options.headers, body: options.body }, collector);
      } catch (err) {
        collector.onResponseError(undefined as never, err as Error);
      }
    };
    if (dispatcher) send(dispatcher);
    else loadDispatcher().then(send, (err: Error) => collector.onResponseError(undefined as never, err));
  });
}
