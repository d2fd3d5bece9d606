/**
 * The analytics consumer as a Kafka-triggered function: consumer group `analytics` of the `festival-events` event
 * hub through the Event Hubs Kafka endpoint, with the binding as Microsoft documents it for Event Hubs (SASL_SSL,
 * PLAIN, user `$ConnectionString`, the connection string as password, brokers from `EventHubsBrokerList`, e.g.
 * `<namespace>.servicebus.windows.net:9093`), batches of records (cardinality many). The password is its own
 * setting, `AnalyticsKafkaConnection`: in Azure a listen-only connection string of this one event hub (a Key Vault
 * reference, infra/app/function-app.bicep), because the extension cannot sign in with a managed identity, while the
 * app's own Kafka clients keep `EventHubsConnection`'s identity settings. It keeps the sales-per-minute
 * read model (Table `salesperminute`), the same as the standalone consumer (src/analytics/analytics-consumer.ts).
 * Kafka triggers run on Flex Consumption, Premium or Dedicated plans (not the classic Consumption plan).
 */
import { app, type InvocationContext, trigger } from "@azure/functions";
import { applyTriggerBatch } from "../src/analytics/kafka-trigger-batch.js";
import { ANALYTICS_GROUP } from "../src/analytics/analytics-consumer.js";
import { SALES_PER_MINUTE_TABLE, SalesPerMinuteWriter } from "../src/analytics/sales-per-minute-writer.js";
import { loadSettings, topology } from "../src/config.js";
import { TableRowStore } from "../src/projections/table-row-store.js";
import { createTableClient } from "../src/storage/table-client.js";

let writer: SalesPerMinuteWriter | undefined;
const salesWriter = () => (writer ??= new SalesPerMinuteWriter(new TableRowStore(createTableClient(loadSettings(process.env).storage, SALES_PER_MINUTE_TABLE))));

app.generic("analytics", {
  trigger: trigger.generic({
    type: "kafkaTrigger",
    topic: topology.eventHub,
    brokerList: "%EventHubsBrokerList%",
    consumerGroup: ANALYTICS_GROUP,
    protocol: "SASLSSL",
    authenticationMode: "PLAIN",
    username: "$ConnectionString",
    password: "%AnalyticsKafkaConnection%",
    dataType: "string",
    cardinality: "MANY",
  }),
  // The extension commits offsets after each invocation: a failed write is retried here, not redelivered.
  retry: { strategy: "exponentialBackoff", maxRetryCount: 5, minimumInterval: 1000, maximumInterval: 30_000 },
  handler: async (records: unknown, context: InvocationContext): Promise<void> => {
    const batch = Array.isArray(records) ? records : [records];
    const result = await applyTriggerBatch(batch, salesWriter());
    for (const bad of result.invalid) context.warn(`record ${bad.position} passed over: ${bad.error}`);
    context.log(`${result.records} records: ${result.counted} counted, ${result.duplicates} already counted, ${result.ignored} other events, ${result.invalid.length} unreadable`);
  },
});
