/**
 * `npm start`: runs the whole system on the embedded default. Today that is the emulator (Service Bus on 5672,
 * HTTP on 5300); the Functions host on http://localhost:7071 and Azurite join it as their issues land.
 */
import { startEmulator } from "../emulator/index.js";

async function main(): Promise<void> {
  const emulator = await startEmulator({ logLevel: "info" });
  console.log(`Emulator health: ${emulator.http.url}/health`);
  console.log(`Service Bus (AMQP) on port ${emulator.serviceBus.port}; connection string:`);
  console.log(emulator.serviceBus.connectionString);
  console.log("Functions host (http://localhost:7071): not built yet; it arrives with the local host issue.");
  console.log("Press Ctrl-C to stop.");
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error((err as Error)?.message ?? err);
  process.exit(1);
});
