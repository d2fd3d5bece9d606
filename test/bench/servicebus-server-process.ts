/**
 * Child process that hosts the server under measurement, so the SDK client (in the bench process) and the server
 * each get their own event loop, as they would in real use. Started by `server-child.ts` with
 * `node --import tsx --expose-gc servicebus-server-process.ts <null-sink|emulator|emulator-durable>`; it answers over IPC:
 *   -> { type: "ready", connectionString, startMs }  once listening (startMs: start call to ready)
 *   <- { type: "memory" }  -> { type: "memory", rss, heapUsed }  after a full gc when exposed
 *   <- { type: "cpu" }     -> { type: "cpu", user, system }  CPU time used so far, in microseconds
 *   <- { type: "profile-start" } / { type: "profile-stop", file }  V8 CPU profile of the span between, written to file
 *   <- { type: "close" }   closes the server and exits
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "node:inspector/promises";
import { benchServiceBusConfig } from "./servicebus-config.js";
import { startNullSink } from "./servicebus-null-sink.js";

type Command = { type: "memory" } | { type: "cpu" } | { type: "profile-start" } | { type: "profile-stop"; file: string } | { type: "close" };

const profiler = new Session();

function send(message: object): void {
  process.send?.(message);
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Twice: the first pass can leave objects that only a second pass frees (weak references, finalizers).
  gc();
  gc();
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const started = performance.now();
  let server: { connectionString: string; close(): Promise<void> };
  if (mode === "null-sink") {
    server = await startNullSink();
  } else if (mode === "emulator" || mode === "emulator-durable") {
    const { startEmulator } = await import("../../emulator/index.js");
    // Durable mode writes its log to a fresh folder on the machine's disk, removed again on close.
    const dataDir = mode === "emulator-durable" ? mkdtempSync(join(tmpdir(), "sb-bench-durable-")) : undefined;
    const emulator = await startEmulator({ servicebusConfig: benchServiceBusConfig, servicebusPort: 0, httpPort: 0, kafkaPort: 0, dataDir });
    const removeData = () => dataDir && rmSync(dataDir, { recursive: true, force: true });
    process.on("exit", () => removeData());
    server = { connectionString: emulator.serviceBus.connectionString, close: () => emulator.close().finally(removeData) };
  } else {
    throw new Error(`usage: servicebus-server-process.ts <null-sink|emulator|emulator-durable>, got "${mode}"`);
  }
  const startMs = performance.now() - started;

  process.on("message", (command: Command) => {
    if (command.type === "memory") {
      collectGarbage();
      const usage = process.memoryUsage();
      send({ type: "memory", rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external });
    } else if (command.type === "cpu") {
      send({ type: "cpu", ...process.cpuUsage() });
    } else if (command.type === "profile-start") {
      profiler.connect();
      void profiler
        .post("Profiler.enable")
        .then(() => profiler.post("Profiler.start"))
        .then(() => send({ type: "profile-started" }));
    } else if (command.type === "profile-stop") {
      void profiler.post("Profiler.stop").then(({ profile }) => {
        writeFileSync(command.file, JSON.stringify(profile));
        profiler.disconnect();
        send({ type: "profile-stopped" });
      });
    } else if (command.type === "close") {
      server.close().finally(() => process.exit(0));
    }
  });
  // The parent going away must not leave a server running.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", connectionString: server.connectionString, startMs });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
