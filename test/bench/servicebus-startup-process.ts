/**
 * Child process for the start-to-ready measure: loads the emulator module once, then starts and closes it `count`
 * times (argv[2]), timing each start from the startEmulator() call until GET /health answers 200. Prints one JSON
 * line: { importMs, startsMs: number[] }.
 */
import { benchServiceBusConfig } from "./servicebus-config.js";

async function untilHealthy(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    if (res.status === 200) return;
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 5);
  const importStarted = performance.now();
  const { startEmulator } = await import("../../emulator/index.js");
  const importMs = performance.now() - importStarted;
  const startsMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const emulator = await startEmulator({ servicebusConfig: benchServiceBusConfig, servicebusPort: 0, httpPort: 0, kafkaPort: 0 });
    await untilHealthy(emulator.http.url);
    startsMs.push(performance.now() - started);
    await emulator.close();
  }
  console.log(JSON.stringify({ importMs, startsMs }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
