/**
 * `npm run bench [-- SUITE ...]`: runs the benchmark suites, prints a table and writes bench-results/bench.json.
 * Add a suite by importing it into `suites` below.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { type BenchRow, type BenchSuite, percentOf } from "./harness.js";
import { serviceBusSuite } from "./servicebus.js";
import { eventGridSuite } from "./eventgrid.js";
import { kafkaSuite } from "./kafka.js";
import { functionsHostSuite } from "./functions-host.js";
import { purchasesSuite } from "./purchases.js";
import { flashSaleSuite } from "./flash-sale.js";
import { eventStoreSuite } from "./eventstore.js";
import { timelineSuite } from "./timeline.js";
import { projectionsSuite } from "./projections.js";
import { analyticsReplaySuite } from "./analytics-replay.js";
import { refusalsSuite } from "./refusals.js";
import { dashboardSuite } from "./dashboard.js";
import { scriptArgs } from "../../scripts/script-args.js";

const suites: BenchSuite[] = [];
suites.push(serviceBusSuite);
suites.push(eventGridSuite);
suites.push(kafkaSuite);
suites.push(functionsHostSuite);
suites.push(purchasesSuite);
suites.push(flashSaleSuite);
suites.push(eventStoreSuite);
suites.push(timelineSuite);
suites.push(projectionsSuite);
suites.push(analyticsReplaySuite);
suites.push((await import("./emulator-cli-startup.js")).emulatorCliSuite);
suites.push(refusalsSuite);
suites.push(dashboardSuite);

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : String(Math.round(n * 100) / 100);
}

async function main(): Promise<void> {
  const usage = `Usage: npm run bench [-- SUITE ...]
Runs the benchmark suites (default: all), prints a table and writes bench-results/bench.json.
  SUITE    one of: ${suites.map((s) => s.name).join(", ")}
  --help   this text`;
  const { positionals: only } = scriptArgs({ usage, options: {}, allowPositionals: true });
  const chosen = only.length ? suites.filter((s) => only.includes(s.name)) : suites;
  const rows: BenchRow[] = [];
  for (const suite of chosen) {
    process.stderr.write(`running ${suite.name}...\n`);
    rows.push(...(await suite.run()));
  }
  const table = rows.map((r) => ({
    suite: r.suite,
    measure: r.name,
    value: `${format(r.value)} ${r.unit}`,
    baseline: r.baseline ? `${format(r.baseline.value)} ${r.unit} (${r.baseline.name})` : "",
    ratio: r.baseline ? `${percentOf(r.value, r.baseline.value)}%` : "",
    target: r.target ?? "",
    met: r.pass === undefined ? "" : r.pass ? "yes" : "NO",
  }));
  console.table(table);
  mkdirSync("bench-results", { recursive: true });
  const out = { date: new Date().toISOString(), node: process.version, cpus: (await import("node:os")).cpus().length, rows };
  writeFileSync("bench-results/bench.json", JSON.stringify(out, null, 2));
  console.log("wrote bench-results/bench.json");
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
