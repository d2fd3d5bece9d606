/**
 * `npm run projections:rebuild [-- NAME...] [--swap] [--keep]`: rebuilds read models from scratch from the event
 * store (every stream, in version order) into fresh tables, compares each with its live table, and with --swap brings
 * the live table to the rebuilt state while the live consumer keeps running (src/projections/rebuild.ts).
 *   NAME     purchase-status, fan-purchases, concert-availability, concert-sales (default: all)
 *   --swap   write the rebuilt rows that differ into the live table, delete live rows without events behind them
 *   --keep   keep the fresh tables (`<table>r<time>`) for inspection
 * Storage: $TicketingStorage (a connection string), else the local Azurite (`npm start`'s). Exit code 0 when every
 * read model equals its rebuild (or was swapped), 2 when one differs and --swap was not given.
 */
import { TableClient } from "@azure/data-tables";
import { topology } from "../src/config.js";
import { type RebuildReport, runRebuild } from "../src/projections/rebuild-run.js";
import { scriptArgs } from "./script-args.js";

const LOCAL_AZURITE = "UseDevelopmentStorage=true";

const usage = `Usage: npm run projections:rebuild [-- NAME...] [--swap] [--keep]
Rebuilds read models from the event store into fresh tables and compares each with its live table.
  NAME     purchase-status, fan-purchases, concert-availability, concert-sales (default: all)
  --swap   bring the live table to the rebuilt state (the live consumer keeps running)
  --keep   keep the fresh tables (<table>r<time>) for inspection
  --help   this text
Storage: $TicketingStorage, else the local Azurite (npm start's).
Exit code 0 when every read model equals its rebuild (or was swapped), 2 when one differs without --swap.`;

function describe(report: RebuildReport): string {
  const { rebuild, comparison, swap } = report;
  const lines = [
    `${report.readModel} (${report.table}): ${rebuild.streams} streams, ${rebuild.events} events -> ${rebuild.rows} rows in ${rebuild.elapsedMs} ms (${report.freshTable}${report.kept ? ", kept" : ", dropped"})`,
    comparison.equal ? `  equal to the live table (${comparison.liveRows} rows)` : `  differs from the live table (${comparison.liveRows} live rows, ${comparison.rebuiltRows} rebuilt):`,
    ...comparison.differences.map((d) => `    ${d.kind} ${d.partitionKey}/${d.rowKey}${d.kind === "different" ? `: live ${JSON.stringify(d.live)} rebuilt ${JSON.stringify(d.rebuilt)}` : ""}`),
  ];
  if (swap) lines.push(`  swapped in: ${swap.written} written, ${swap.deleted} deleted, ${swap.keptNewer} newer live rows kept, ${swap.raced} left to the live consumer`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values, positionals: names } = scriptArgs({
    usage,
    options: { swap: { type: "boolean" }, keep: { type: "boolean" } },
    allowPositionals: true,
  });
  const connectionString = process.env.TicketingStorage ?? LOCAL_AZURITE;
  const insecure = /UseDevelopmentStorage=true|=http:/i.test(connectionString);
  const reports = await runRebuild({
    names,
    swap: values.swap ?? false,
    keep: values.keep ?? false,
    eventsTable: topology.tables.events,
    table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure }),
  });
  for (const report of reports) console.log(describe(report));
  return reports.every((r) => r.comparison.equal || r.swap) ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
