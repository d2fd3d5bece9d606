/** The e-mail service's client of the fans API, against a real HTTP server on a free port. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { welcomeMail } from "../../../src/services/email/compose-mail.js";
import { FansApiClient, fansApiBaseUrl, FansApiUnavailableError } from "../../../src/services/email/fans-api-client.js";

const servers: Server[] = [];

/** A fans API answering each request with `answer(n)` (n counts from 1), recording paths and headers. */
async function fansApi(answer: (n: number) => { status: number; body?: unknown }) {
  const seen: { path: string; headers: IncomingMessage["headers"] }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? "", headers: req.headers });
    const { status, body } = answer(seen.length);
    res.writeHead(status, { "content-type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ada = { fanId: "ada", email: "ada@example.com", name: "Ada", version: 2 };

describe("fans API client", () => {
  it("gets the fan's name and e-mail from GET {base}/fans/{id}, passing the correlation headers", async () => {
    const api = await fansApi(() => ({ status: 200, body: ada }));
    const client = new FansApiClient({ baseUrl: api.url });
    expect(await client.getFan("ada", { "x-correlation-id": "corr-1" })).toEqual({ fanId: "ada", email: "ada@example.com", name: "Ada" });
    expect(api.seen.map((s) => [s.path, s.headers["x-correlation-id"]])).toEqual([["/api/fans/ada", "corr-1"]]);
    const mail = welcomeMail(await client.getFan("ada"));
    expect(mail).toMatchObject({ to: "ada@example.com", fanId: "ada", subject: "Welcome to Music Fest" });
    expect(mail.body).toMatch(/^Hello Ada,/);
  });

  it("retries 5xx with growing backoff, then succeeds", async () => {
    const api = await fansApi((n) => (n < 3 ? { status: 503 } : { status: 200, body: ada }));
    const waits: number[] = [];
    const client = new FansApiClient({ baseUrl: api.url, random: () => 1, sleep: async (ms) => void waits.push(ms) });
    expect((await client.getFan("ada")).name).toBe("Ada");
    expect(waits).toEqual([200, 400]);
    expect(api.seen).toHaveLength(3);
  });

  it("gives up after its attempts with FansApiUnavailableError, so the event is redelivered", async () => {
    const api = await fansApi(() => ({ status: 500 }));
    const client = new FansApiClient({ baseUrl: api.url, maxAttempts: 3, sleep: async () => undefined });
    await expect(client.getFan("ada")).rejects.toThrow(FansApiUnavailableError);
    expect(api.seen).toHaveLength(3);
  });

  it("does not retry a 404 in process (a stopped fans API answers 404 for a fan the event proves exists)", async () => {
    const api = await fansApi(() => ({ status: 404 }));
    const client = new FansApiClient({ baseUrl: api.url, sleep: async () => undefined });
    await expect(client.getFan("ada")).rejects.toMatchObject({ name: "FansApiUnavailableError", status: 404 });
    expect(api.seen).toHaveLength(1);
  });

  it("treats a closed port as unavailable after its attempts", async () => {
    const api = await fansApi(() => ({ status: 200, body: ada }));
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const client = new FansApiClient({ baseUrl: api.url, maxAttempts: 2, sleep: async () => undefined });
    await expect(client.getFan("ada")).rejects.toThrow(/failed 2 attempts for fan ada: network error/);
  });

  it("finds the app's own fans API through WEBSITE_HOSTNAME unless Fans__baseUrl is set", () => {
    expect(fansApiBaseUrl("https://fans.example.com/api", {})).toBe("https://fans.example.com/api");
    expect(fansApiBaseUrl(undefined, { WEBSITE_HOSTNAME: "127.0.0.1:7071" })).toBe("http://127.0.0.1:7071/api");
    expect(fansApiBaseUrl(undefined, { WEBSITE_HOSTNAME: "musicfest.azurewebsites.net" })).toBe("https://musicfest.azurewebsites.net/api");
    expect(() => fansApiBaseUrl(undefined, {})).toThrow(/Fans__baseUrl/);
  });
});
