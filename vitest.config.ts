import { defineConfig } from "vitest/config";

// Integration tests start real servers on free ports; each file gets its own emulator, so files run in parallel.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
