/** src/config.ts: connection strings locally, identity-based settings (`__fullyQualifiedNamespace` ...) in Azure. */
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { eventGridConnection, serviceBusConnection, SettingsError, tableConnection } from "../../src/config.js";

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
});
