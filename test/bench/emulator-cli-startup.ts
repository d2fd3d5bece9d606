/**
 * `npm run bench -- servicebus`, the emulator package's bin: from spawning `node emulator/dist/cli.js` (what the
 * installed `fest-emulator` runs, compiled first as `npm pack` compiles it) until it prints its ready line, target
 * < 300 ms, next to startEmulator() in a fresh process as the baseline (the same start without a process to spawn).
 * The rows also show a bare Node.js process (the floor on this machine at this moment) and `tsx emulator/cli.ts`, the
 * sources compiled at start, as `npm run emulator` runs it here.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import type { BenchRow, BenchSuite } from "./harness.js";
import { cliStartToReady, programmaticStarts } from "./servicebus-startup.js";

const suite = "servicebus";
const runs = 5;
const emulatorDir = fileURLToPath(new URL("../../emulator/", import.meta.url));
const compiledCli = fileURLToPath(new URL("../../emulator/dist/cli.js", import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timesOf(start: () => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await start());
  return times;
}

async function rows(): Promise<BenchRow[]> {
  const log = (line: string) => process.stderr.write(`  [emulator cli] ${line}\n`);
  try {
    log("building the emulator package (emulator/dist)");
    await promisify(execFile)("npm", ["run", "build"], { cwd: emulatorDir, timeout: 300_000 });
    const { startsMs } = await programmaticStarts(runs);
    const baseline = { name: "startEmulator() in a fresh process until /health is 200", value: median(startsMs) };
    const compiled = await timesOf(() => cliStartToReady(process.execPath, [compiledCli]));
    const fromSources = await timesOf(() => cliStartToReady());
    // The floor under any CLI on this machine at this moment: a Node.js process that prints the line at once.
    const printReady = ["-e", 'console.log("Emulator ready")', "--"];
    const bareNode = await timesOf(() => cliStartToReady(process.execPath, printReady));
    const list = (times: number[]) => times.map(Math.round).join(", ");
    log(`node dist/cli.js: ${list(compiled)} ms; tsx: ${list(fromSources)} ms`);
    const value = median(compiled);
    return [
      {
        suite,
        name: `CLI start to ready: spawn \`node emulator/dist/cli.js\` (the bin) until "ready" (median of ${runs})`,
        value,
        unit: "ms",
        baseline,
        target: "< 300 ms",
        pass: value < 300,
      },
      {
        suite,
        name: `  floor: a bare \`node -e\` printing the line (median of ${runs})`,
        value: median(bareNode),
        unit: "ms",
        baseline,
      },
      {
        suite,
        name: `  the same from the sources: \`tsx emulator/cli.ts\` (median of ${runs})`,
        value: median(fromSources),
        unit: "ms",
        baseline,
      },
    ];
  } catch (err) {
    log(`failed: ${(err as Error)?.stack ?? String(err)}`);
    const name = "CLI start to ready: spawn `node emulator/dist/cli.js` (the bin) until its ready line";
    return [{ suite, name, value: NaN, unit: "ms", target: "< 300 ms", pass: false }];
  }
}

export const emulatorCliSuite: BenchSuite = { name: suite, run: rows };
