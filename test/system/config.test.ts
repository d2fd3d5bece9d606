/** src/config.ts: connection strings locally, identity-based settings (`__fullyQualifiedNamespace` ...) in Azure. */
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { eventGridConnection, eventHubsConnection, loadAppSettings, plainSettings, serviceBusConnection, SettingsError, tableConnection } from "../../src/config.js";

describe("settings", () => {
  it("uses a connection string when the setting holds one", () => {
    const cs = "Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
    expect(serviceBusConnection({ ServiceBusConnection: cs })).toEqual({ kind: "connectionString", connectionString: cs });
    expect(tableConnection({ TicketingStorage: "UseDevelopmentStorage=true" })).toEqual({ kind: "connectionString", connectionString: "UseDevelopmentStorage=true" });
    expect(eventGridConnection({ MusicFestEvents__topicEndpointUri: "http://localhost:5300/x", MusicFestEvents__topicKey: "k" })).toEqual({ kind: "key", endpoint: "http://localhost:5300/x", key: "k" });
  });

  it("uses a user-assigned managed identity with __credential and __clientId, as the Functions bindings do", () => {
    const c = serviceBusConnection({
      ServiceBusConnection__fullyQualifiedNamespace: "musicfest.servicebus.windows.net",
      ServiceBusConnection__credential: "managedidentity",
      ServiceBusConnection__clientId: "00000000-0000-0000-0000-000000000001",
    });
    expect(c.kind).toBe("identity");
    if (c.kind !== "identity") return;
    expect(c.fullyQualifiedNamespace).toBe("musicfest.servicebus.windows.net");
    expect(c.credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  it("falls back to DefaultAzureCredential, and builds table and Event Grid endpoints from identity settings", () => {
    const table = tableConnection({ TicketingStorage__accountName: "musicfeststore" });
    expect(table).toMatchObject({ kind: "identity", endpoint: "https://musicfeststore.table.core.windows.net" });
    expect(table.kind === "identity" && table.credential).toBeInstanceOf(DefaultAzureCredential);
    expect(tableConnection({ TicketingStorage__tableServiceUri: "https://x.table.core.windows.net" })).toMatchObject({ endpoint: "https://x.table.core.windows.net" });
    expect(eventGridConnection({ MusicFestEvents__topicEndpointUri: "https://t.westeurope-1.eventgrid.azure.net/api/events" }).kind).toBe("identity");
  });

  it("says which setting is missing or wrong", () => {
    expect(() => serviceBusConnection({})).toThrow(SettingsError);
    expect(() => serviceBusConnection({})).toThrow(/ServiceBusConnection__fullyQualifiedNamespace/);
    expect(() => serviceBusConnection({ ServiceBusConnection: "not a connection string" })).toThrow(/no Endpoint=/);
    expect(() => eventGridConnection({ MusicFestEvents__topicEndpointUri: "nope" })).toThrow(/not a URL/);
    expect(() => tableConnection({})).toThrow(/TicketingStorage/);
  });

  it("reads the Kafka endpoint from an Event Hubs connection string, or an identity with the namespace", () => {
    const emulator = "Endpoint=sb://localhost:9092;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
    expect(eventHubsConnection({ EventHubsConnection: emulator })).toEqual({ kind: "connectionString", brokers: ["localhost:9092"], ssl: false, connectionString: emulator });
    const azure = "Endpoint=sb://musicfest.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc=";
    expect(eventHubsConnection({ EventHubsConnection: azure })).toMatchObject({ brokers: ["musicfest.servicebus.windows.net:9093"], ssl: true });
    const identity = eventHubsConnection({ EventHubsConnection__fullyQualifiedNamespace: "musicfest.servicebus.windows.net", EventHubsConnection__credential: "managedidentity" });
    expect(identity).toMatchObject({ kind: "identity", brokers: ["musicfest.servicebus.windows.net:9093"], ssl: true });
    expect(identity?.kind === "identity" && identity.credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(eventHubsConnection({})).toBeUndefined();
    expect(() => eventHubsConnection({ EventHubsConnection: "Endpoint=sb://x" })).toThrow(/EventHubsConnection.*SharedAccessKeyName/);
    expect(() => eventHubsConnection({ EventHubsConnection: "hello" })).toThrow(SettingsError);
  });

  it("gives every plain setting its default, and names the setting a bad value is in", () => {
    expect(loadAppSettings({})).toEqual({
      admissionHoldMs: 300_000,
      reservationTimeoutMs: 600_000,
      snapshotEvery: 20,
      outboxSweepGraceMs: 5_000,
      paymentDeclineOverCents: 100_000,
      paymentTransientFailureRate: 0,
      ticketingProviderBaseUrl: undefined,
      ticketingProviderLatencyMs: 0,
      ticketingProviderFailureRate: 0,
      ticketingProviderUnavailableConcerts: [],
      ticketingProviderBreakerFailures: 5,
      ticketingProviderBreakerHalfOpenAfterMs: 30_000,
      ticketingProviderAttemptTimeoutMs: 5_000,
      fansBaseUrl: undefined,
      tracesExporter: [],
      otlpEndpoint: undefined,
      applicationInsightsConnectionString: "",
      applicationInsightsAuthentication: "",
      serviceName: "musicfest-ticketing",
      timelineEnabled: true,
      commandsDeadLetterRefusals: true,
    });
    expect(loadAppSettings({ Purchase__admissionHold: "PT0S" }).admissionHoldMs).toBe(0);
    const set = loadAppSettings({ Purchase__reservationTimeout: "PT1H30M", EventStore__snapshotEvery: "5", TicketingProvider__unavailableConcerts: " a, b ,", TicketingProvider__baseUrl: "http://localhost:7071/" });
    expect(set).toMatchObject({ reservationTimeoutMs: 5_400_000, snapshotEvery: 5, ticketingProviderUnavailableConcerts: ["a", "b"], ticketingProviderBaseUrl: "http://localhost:7071" });
    expect(() => loadAppSettings({ Purchase__reservationTimeout: "10 minutes" })).toThrow(/"Purchase__reservationTimeout" is invalid \("10 minutes"\): an ISO 8601 duration/);
    expect(() => loadAppSettings({ Payment__transientFailureRate: "1.5" })).toThrow(/Payment__transientFailureRate.*from 0 to 1/);
    expect(() => loadAppSettings({ EventStore__snapshotEvery: "2.5" })).toThrow(SettingsError);
    expect(() => loadAppSettings({ TicketingProvider__baseUrl: "ftp://x" })).toThrow(/TicketingProvider__baseUrl/);
    const breaker = { TicketingProvider__breakerFailures: "3", TicketingProvider__breakerHalfOpenAfter: "PT1M" };
    expect(loadAppSettings(breaker)).toMatchObject({
      ticketingProviderBreakerFailures: 3,
      ticketingProviderBreakerHalfOpenAfterMs: 60_000,
    });
    expect(() => loadAppSettings({ TicketingProvider__breakerFailures: "0" })).toThrow(
      /TicketingProvider__breakerFailures.*from 1 to 1000/,
    );
    expect(() => loadAppSettings({ TicketingProvider__attemptTimeout: "5" })).toThrow(
      /TicketingProvider__attemptTimeout.*ISO 8601/,
    );
    // The list names each setting once, with a default that parses.
    const names = Object.values(plainSettings).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
