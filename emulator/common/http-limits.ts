/**
 * What one HTTP connection may cost the emulator's HTTP servers (the main port, the Functions host, the HTTPS
 * administration endpoint on the AMQP port). Node's http server enforces all of these itself: a client that
 * trickles its headers or body past a deadline gets 408 and loses its socket, oversized headers get 431. Bodies are
 * capped where they are read (readBody's limit, 413).
 *
 * Node checks its deadlines only every connectionsCheckingInterval (30 s by default), so a 30 s deadline could
 * really be 60 s; the check runs more often here. The deadlines are real time: they measure a client on the network,
 * not the emulator's movable clock.
 */
import type http from "node:http";

export interface HttpLimits {
  /**
   * Time to receive a request's complete headers. Node's default is 60 s; the emulator's clients are local and send
   * their headers at once, so a client still sending them after 30 s is stuck or hostile (slowloris).
   */
  headersTimeoutMs: number;
  /**
   * Time to receive a whole request, body included (not the time to answer it: long polls and event streams are
   * unaffected). Bodies here are small (Event Grid publishes at most 1 MB), so 120 s is ample.
   */
  requestTimeoutMs: number;
  /** Largest request head (request line and headers); Node's default of 16 KB. Larger heads get 431. */
  maxHeaderSize: number;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  maxHeaderSize: 16 * 1024,
};

/** Options for http.createServer with `limits` applied. */
export function httpServerOptions(limits: HttpLimits): http.ServerOptions {
  // Node refuses a headers deadline past the request deadline; the headers are part of the request anyway.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    // Often enough that a deadline is met within a second of itself, or a tenth of it when tests pass short ones.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 10))),
  };
}
