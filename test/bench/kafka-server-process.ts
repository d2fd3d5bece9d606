/**
 * Child process hosting the Kafka server under measurement (the emulator's endpoint or the null sink), so kafkajs
 * in the bench process and the server each have an event loop. Started with
 * `node --import tsx --expose-gc kafka-server-process.ts <null-sink|emulator>`; IPC:
 *   -> { type: "ready", bootstrapServers, connectionString }
 *   <- { type: "memory" } -> { type: "memory", rss }   after a full gc: resident set plus batches kept in tmpfs
 *   <- { type: "usage" }  -> { type: "usage", usage }  ProcessUsage since the process started
 *   <- { type: "close" }  closes the server and exits
 */
import { EmulatorClock } from "../../emulator/common/clock.js";
import { createLogger } from "../../emulator/common/logger.js";
import { parseEventHubsConfig, startKafka } from "../../emulator/kafka/index.js";
import { startKafkaNullSink } from "./kafka-null-sink.js";
import { usageSince } from "./process-usage.js";

/** One-partition hubs for the single-client rows; 4-partition hubs (as festival-events) for the end-to-end rows. */
const benchHubs = [
  ...Array.from({ length: 3 }, (_, i) => ({ Name: `bench-${i}`, PartitionCount: 1 })),
  ...Array.from({ length: 6 }, (_, i) => ({ Name: `e2e-${i}`, PartitionCount: 4 })),
  { Name: "e2e-warm-up", PartitionCount: 4 },
];

async function main(): Promise<void> {
  const mode = process.argv[2];
  let server: { bootstrapServers: string; connectionString: string; segmentBytes?(): number; close(): Promise<void> };
  if (mode === "null-sink") {
    server = await startKafkaNullSink();
  } else if (mode === "emulator") {
    const config = parseEventHubsConfig({
      UserConfig: { NamespaceConfig: [{ Entities: benchHubs }], LoggingConfig: { Type: "Console" } },
    });
    server = await startKafka({ config, port: 0, host: "127.0.0.1", clock: new EmulatorClock(), logger: createLogger("silent") });
  } else {
    throw new Error(`usage: kafka-server-process.ts <null-sink|emulator>, got "${mode}"`);
  }
  process.on("message", (command: { type: string }) => {
    if (command.type === "memory") {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      // Batches in tmpfs are RAM the resident set does not show; they count as the server's memory.
      process.send?.({ type: "memory", rss: process.memoryUsage().rss + (server.segmentBytes?.() ?? 0) });
    } else if (command.type === "usage") {
      process.send?.({ type: "usage", usage: usageSince() });
    } else if (command.type === "close") {
      server.close().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ type: "ready", bootstrapServers: server.bootstrapServers, connectionString: server.connectionString });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
