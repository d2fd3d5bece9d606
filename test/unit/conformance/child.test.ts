/**
 * The conformance runner's child processes (test/conformance/child.ts): a hung client is killed at its timeout,
 * with what it printed so far, so one stuck SDK makes fail cells instead of hanging the run.
 */
import { describe, expect, it } from "vitest";
import { runChild } from "../../conformance/child.js";

describe("conformance child processes", () => {
  it("kills a client that hangs, and keeps the results it printed before", async () => {
    const script = 'console.log(JSON.stringify({feature: "send", status: "pass"})); setInterval(() => {}, 1000);';
    const started = Date.now();
    const result = await runChild(process.execPath, ["-e", script], { env: process.env, timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).toContain('"feature":"send"');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reports a client that cannot start as an error, not a crash of the runner", async () => {
    const result = await runChild("/nonexistent/client", [], { env: process.env, timeoutMs: 5000 });
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(/ENOENT/);
  });
});
