/**
 * Topology of the Service Bus benchmarks, in the official emulator's Config.json format: one plain queue with the
 * defaults an application would use (1 minute locks).
 */
export const benchQueue = "bench-queue";

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
        Topics: [],
      },
    ],
    Logging: { Type: "Console" },
  },
};
