/**
 * `npm run analytics:replay [-- --keep] [--table NAME]`: replays `festival-events` from the beginning into a fresh
 * sales-per-minute table (`salesperminute<time>`) with a fresh consumer group (`analytics-replay-<time>`), then
 * compares it minute by minute with the live read model (table `salesperminute`, kept by the `analytics` group).
 *   --keep        keep the fresh table (default: dropped after the comparison)
 *   --table NAME  the live table to compare with (default salesperminute)
 * Kafka: $EventHubsConnection (a connection string, or EventHubsConnection__fullyQualifiedNamespace for an identity),
 * else the local emulator's endpoint (`npm start`'s, port $KAFKA_PORT or 9092). Storage: $TicketingStorage, else the
 * local Azurite. Exit code 0 when the replay equals the live read model, 2 when they differ.
 */
import { TableClient } from "@azure/data-tables";
import { eventHubsConnection } from "../src/config.js";
import { createKafka } from "../src/messaging/kafka-event-stream.js";
import { TableRowStore } from "../src/projections/table-row-store.js";
import { replaySales, replaySuffix, type ReplayResult } from "../src/analytics/replay.js";
import { SALES_PER_MINUTE_TABLE } from "../src/analytics/sales-per-minute-writer.js";
import { scriptArgs } from "./script-args.js";

const usage = `Usage: npm run analytics:replay [-- --keep] [--table NAME]
Replays festival-events from the beginning into a fresh sales-per-minute table and compares it with the live one.
  --keep        keep the fresh table (default: dropped after the comparison)
  --table NAME  the live table to compare with (default ${SALES_PER_MINUTE_TABLE})
  --help        this text
Kafka: $EventHubsConnection, else the local emulator (port $KAFKA_PORT or 9092). Storage: $TicketingStorage, else
the local Azurite. Exit code 0 when the replay equals the live read model, 2 when they differ.`;

const LOCAL_AZURITE = "UseDevelopmentStorage=true";
const localKafka = () => `Endpoint=sb://localhost:${process.env.KAFKA_PORT ?? 9092};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;

function describeReplay(r: ReplayResult, live: string, kept: boolean): string {
  const { stats, comparison } = r;
  const lines = [
    `replayed ${stats.records} records (${stats.counted} counted, ${stats.duplicates} duplicates, ${stats.ignored} other events, ${stats.invalid} unreadable) in ${r.elapsedMs} ms into ${r.table}${kept ? " (kept)" : " (dropped)"}, group ${r.groupId}`,
    comparison.equal
      ? `equal to ${live}: ${comparison.liveMinutes} minutes`
      : `differs from ${live} (${comparison.liveMinutes} live minutes, ${comparison.replayedMinutes} replayed):`,
    ...comparison.differences.map((d) => `  ${d.concertId} ${d.minute}: live ${JSON.stringify(d.live ?? null)} replayed ${JSON.stringify(d.replayed ?? null)}`),
  ];
  return lines.join("\n");
}

async function main(): Promise<number> {
  const args = scriptArgs({ usage, options: { keep: { type: "boolean" }, table: { type: "string" } } });
  const values = { keep: args.values.keep ?? false, table: args.values.table ?? SALES_PER_MINUTE_TABLE };
  const storage = process.env.TicketingStorage ?? LOCAL_AZURITE;
  const insecure = /UseDevelopmentStorage=true|=http:/i.test(storage);
  const table = (name: string) => new TableRowStore(TableClient.fromConnectionString(storage, name, { allowInsecureConnection: insecure }));
  const connection = eventHubsConnection(process.env) ?? eventHubsConnection({ EventHubsConnection: localKafka() })!;
  const suffix = replaySuffix();
  const result = await replaySales({
    kafka: createKafka(connection, "musicfest-analytics-replay"),
    live: table(values.table),
    replay: table(`${SALES_PER_MINUTE_TABLE}${suffix}`),
    groupId: `analytics-replay-${suffix}`,
    dropAfter: !values.keep,
  });
  console.log(describeReplay(result, values.table, values.keep));
  return result.comparison.equal ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
