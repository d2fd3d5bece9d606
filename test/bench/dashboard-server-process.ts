/**
 * Child process for the dashboard bench: the emulator with the Service Bus bench topology, with or without its
 * dashboard (`on` | `off`), so the SDK client in the bench process and the emulator each have their own event loop.
 * Started by dashboard.ts with `node --import tsx dashboard-server-process.ts <on|off>`; over IPC it answers
 *   -> { type: "ready", connectionString, httpUrl }  once listening
 *   <- { type: "cpu" }    -> { type: "cpu", user, system }  CPU time used so far, in microseconds
 *   <- { type: "close" }  closes the emulator and exits
 */
import { benchServiceBusConfig } from "./servicebus-config.js";

async function main(): Promise<void> {
  const { startEmulator } = await import("../../emulator/index.js");
  const dashboard = process.argv[2] !== "off";
  const ports = { servicebusPort: 0, httpPort: 0, kafkaPort: 0 };
  const emulator = await startEmulator({ servicebusConfig: benchServiceBusConfig, ...ports, dashboard });
  process.on("message", (command: { type: string }) => {
    if (command.type === "cpu") process.send?.({ type: "cpu", ...process.cpuUsage() });
    if (command.type === "close") void emulator.close().finally(() => process.exit(0));
  });
  // The parent going away must not leave a server running.
  process.on("disconnect", () => process.exit(0));
  process.send?.({ type: "ready", connectionString: emulator.serviceBus.connectionString, httpUrl: emulator.http.url });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
