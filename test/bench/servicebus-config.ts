/**
 * Topology of the Service Bus benchmarks, in the official emulator's Config.json format: one plain queue with the
 * defaults an application would use (1 minute locks), and a topic with 20 SQL-filtered subscriptions (fan-out).
 */
export const benchQueue = "bench-queue";
/** A topic with 20 subscriptions, each with its own SQL filter; a fan-out message matches every other one (10). */
export const benchTopic = "bench-topic";
export const fanOutSubscriptions = 20;
/** What the fan-out messages carry for the filters to read. */
export const fanOutProperties = { region: "eu", priority: 100 };

function fanOutSubscription(i: number): object {
  const region = i % 2 === 0 ? "eu" : "us";
  return {
    Name: `sub-${String(i).padStart(2, "0")}`,
    Properties: { LockDuration: "PT1M", MaxDeliveryCount: 10 },
    Rules: [{ Name: "by-region", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: `region = '${region}' AND priority > ${i}` } } }],
  };
}

export const benchServiceBusConfig = {
  UserConfig: {
    Namespaces: [
      {
        Name: "sbemulatorns",
        Queues: [
          {
            Name: benchQueue,
            Properties: {
              DeadLetteringOnMessageExpiration: false,
              DefaultMessageTimeToLive: "PT1H",
              LockDuration: "PT1M",
              MaxDeliveryCount: 10,
              RequiresDuplicateDetection: false,
              RequiresSession: false,
            },
          },
        ],
        Topics: [{ Name: benchTopic, Properties: { DefaultMessageTimeToLive: "PT1H" }, Subscriptions: Array.from({ length: fanOutSubscriptions }, (_, i) => fanOutSubscription(i)) }],
      },
    ],
    Logging: { Type: "Console" },
  },
};
