import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureHost, type FixtureHost } from "./start-fixture-host.js";

let host: FixtureHost;
beforeAll(async () => {
  host = await startFixtureHost();
});
afterAll(() => host?.close());

describe("worker process failures", () => {
  it("answers 500 when the worker dies mid-invocation, then serves requests from a new worker", async () => {
    expect((await fetch(`${host.url}/api/hooked`)).status).toBe(203);
    const crashed = await fetch(`${host.url}/api/crash`);
    expect(crashed.status).toBe(500);

    // The request waits for the new worker instead of failing.
    const after = await fetch(`${host.url}/api/hello?name=again`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe("Hello, again!");

    // A fresh worker: the app was loaded again and its appStart hook ran again; earlier hook records are gone.
    const seen = (await (await fetch(`${host.url}/api/inspect`)).json()) as { appStart?: unknown; hooks: { functionName: string }[] };
    expect(seen.appStart).toEqual({ ran: true });
    expect(seen.hooks.map((h) => h.functionName)).not.toContain("hooked");
  });
});
