import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../emulator/common/logger.js";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let host: FixtureHost;
const lines: string[] = [];

beforeAll(async () => {
  host = await startFixtureHost({ logger: createLogger("info", "functions", (line) => lines.push(line)) });
});
afterAll(() => host?.close());

async function executedLine(path: string, headers: Record<string, string> = {}): Promise<string> {
  const after = host.invocations.length;
  const done = host.nextInvocation("hello", after);
  expect((await fetch(`${host.url}${path}`, { headers })).status).toBe(200);
  const record = await done;
  const line = lines.find((l) => l.includes(`Id=${record.invocationId}`) && l.includes("Executed"));
  expect(line, `no log line for ${record.invocationId}`).toBeDefined();
  return line as string;
}

describe("the host's per-invocation log line", () => {
  it("names the function, outcome, duration and the request's x-correlation-id", async () => {
    const line = await executedLine("/api/hello", { "x-correlation-id": "purchase-42" });
    expect(line).toMatch(/INFO .*Executed 'Functions\.hello' \(Succeeded, Id=[0-9a-f-]{36}, CorrelationId=purchase-42, Duration=[\d.]+ms\) \{"trigger":"httpTrigger"\}/);
  });

  it("takes the trace id of a W3C traceparent when there is no x-correlation-id", async () => {
    const line = await executedLine("/api/hello", { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(line).toContain("CorrelationId=4bf92f3577b34da6a3ce929d0e0e4736,");
  });

  it("falls back to the invocation id, so every line carries one", async () => {
    const line = await executedLine("/api/hello");
    const [, id, correlation] = /Id=([0-9a-f-]+), CorrelationId=([0-9a-f-]+),/.exec(line) ?? [];
    expect(correlation).toBe(id);
  });
});

describe("Ctrl-C", () => {
  it("does not stop the worker: the host decides when it stops", async () => {
    const pid = async () => ((await (await fetch(`${host.url}/api/worker-pid`)).json()) as { pid: number }).pid;
    const before = await pid();
    process.kill(before, "SIGINT");
    expect((await fetch(`${host.url}/api/hello?name=still`)).status).toBe(200);
    expect(await pid()).toBe(before);
    expect(lines.some((l) => l.includes("exited unexpectedly"))).toBe(false);
  });
});
