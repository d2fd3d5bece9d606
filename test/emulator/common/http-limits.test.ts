/**
 * Limits on the emulator's HTTP port: a client that trickles its headers or its body gets 408 and loses its socket,
 * oversized headers get 431, an oversized body 413, and none of them holds memory or the server. Raw sockets send
 * what fetch() never would.
 */
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { emulatorAuthorizationHeader } from "../../../emulator/servicebus/sas-token.js";

const HEADERS_MS = 300;
const REQUEST_MS = 600;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    limits: { http: { headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS, maxHeaderSize: 4096 } },
  });
});
afterAll(async () => {
  await emulator?.close();
});

/** Opens a socket, writes `head`, then one more byte every `trickleMs` (if set); resolves with all it got on close. */
function rawRequest(head: string, trickleMs?: number): Promise<{ answer: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(emulator.http.port, "127.0.0.1", () => socket.write(head));
    const received: Buffer[] = [];
    const trickle = trickleMs ? setInterval(() => socket.writable && socket.write("x"), trickleMs) : undefined;
    const giveUp = setTimeout(() => socket.destroy(new Error("the server kept the connection open")), 5000);
    socket.on("data", (d) => received.push(d));
    socket.on("error", (err) => {
      if (err.message.startsWith("the server")) reject(err);
    });
    socket.on("close", () => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      resolve({ answer: Buffer.concat(received).toString("latin1"), elapsedMs: Date.now() - started });
    });
  });
}

it("answers 408 and closes a connection whose headers trickle in past the headers deadline", async () => {
  const { answer, elapsedMs } = await rawRequest("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", 50);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(elapsedMs).toBeGreaterThanOrEqual(HEADERS_MS - 50);
});

it("answers 408 and closes a connection whose body stalls past the request deadline", async () => {
  // With the key, so the request gets past the guard to the body it then waits for.
  const authorization = emulatorAuthorizationHeader(emulator.http.url).authorization;
  const head =
    "POST /emulator/clock/advance HTTP/1.1\r\nHost: localhost\r\n" +
    `Authorization: ${authorization}\r\nContent-Length: 100\r\n\r\n{`;
  const { answer, elapsedMs } = await rawRequest(head);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(elapsedMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
});

it("answers 431 to headers over the size limit", async () => {
  const head = `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(8192)}\r\n\r\n`;
  const { answer } = await rawRequest(head);
  expect(answer).toMatch(/^HTTP\/1\.1 431/);
});

it("answers 413 to a body over the route's cap, without holding it, and keeps serving", async () => {
  const before = process.memoryUsage().arrayBuffers;
  const response = await fetch(`${emulator.http.url}/emulator/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json", ...emulatorAuthorizationHeader(emulator.http.url) },
    body: JSON.stringify({ ms: 1, padding: "x".repeat(1024 * 1024) }),
  });
  expect(response.status).toBe(413);
  expect(await response.json()).toMatchObject({ error: { code: "RequestEntityTooLarge" } });
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  expect((await fetch(`${emulator.http.url}/health`)).status).toBe(200);
});
