/**
 * The system's settings, read from the environment (locally `local.settings.json` Values, in Azure the app
 * settings), with the Functions naming conventions so the same names serve triggers and our own SDK clients:
 * a connection is either a connection string in the setting itself (the emulators, Azurite) or identity-based
 * settings under `<name>__...` (`__fullyQualifiedNamespace`, `__topicEndpointUri`, `__tableServiceUri` or
 * `__accountName`, with `__credential` and `__clientId` choosing the identity).
 */
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/identity";

/** Entity names of the topology in emulator/config/ (and infra/). */
export const topology = {
  purchasesTopic: "purchases",
  subscriptions: { payment: "payment", ticketingProvider: "ticketing-provider", purchaseProcess: "purchase-process" },
  eventGridTopic: "musicfest-events",
  tables: { purchases: "purchases", notifications: "notifications" },
} as const;

export const settingNames = {
  serviceBus: "ServiceBusConnection",
  eventGrid: "MusicFestEvents",
  storage: "TicketingStorage",
} as const;

export type Env = Record<string, string | undefined>;

export type ServiceBusConnection = { kind: "connectionString"; connectionString: string } | { kind: "identity"; fullyQualifiedNamespace: string; credential: TokenCredential };
export type EventGridConnection = { kind: "key"; endpoint: string; key: string } | { kind: "identity"; endpoint: string; credential: TokenCredential };
export type TableConnection = { kind: "connectionString"; connectionString: string } | { kind: "identity"; endpoint: string; credential: TokenCredential };

export interface Settings {
  serviceBus: ServiceBusConnection;
  eventGrid: EventGridConnection;
  storage: TableConnection;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** `<name>__credential` = managedidentity picks the managed identity (user-assigned with `__clientId`); otherwise DefaultAzureCredential. */
export function credentialFor(name: string, env: Env): TokenCredential {
  const clientId = value(env, `${name}__clientId`);
  if (value(env, `${name}__credential`)?.toLowerCase() === "managedidentity") {
    return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : undefined);
}

export function serviceBusConnection(env: Env, name: string = settingNames.serviceBus): ServiceBusConnection {
  const connectionString = value(env, name);
  if (connectionString) {
    if (!/Endpoint=/i.test(connectionString)) throw new SettingsError(`The app setting "${name}" is not a Service Bus connection string (it has no Endpoint=).`);
    return { kind: "connectionString", connectionString };
  }
  const fullyQualifiedNamespace = value(env, `${name}__fullyQualifiedNamespace`);
  if (fullyQualifiedNamespace) return { kind: "identity", fullyQualifiedNamespace, credential: credentialFor(name, env) };
  throw new SettingsError(`Set "${name}" to a Service Bus connection string, or "${name}__fullyQualifiedNamespace" for an identity-based connection.`);
}

export function eventGridConnection(env: Env, name: string = settingNames.eventGrid): EventGridConnection {
  const endpoint = value(env, `${name}__topicEndpointUri`);
  if (!endpoint) throw new SettingsError(`Set "${name}__topicEndpointUri" to the Event Grid topic endpoint (and "${name}__topicKey" for key authentication).`);
  if (!URL.canParse(endpoint)) throw new SettingsError(`"${name}__topicEndpointUri" is not a URL: ${endpoint}`);
  const key = value(env, `${name}__topicKey`);
  return key ? { kind: "key", endpoint, key } : { kind: "identity", endpoint, credential: credentialFor(name, env) };
}

export function tableConnection(env: Env, name: string = settingNames.storage): TableConnection {
  const connectionString = value(env, name);
  if (connectionString) return { kind: "connectionString", connectionString };
  const endpoint = value(env, `${name}__tableServiceUri`) ?? (value(env, `${name}__accountName`) && `https://${value(env, `${name}__accountName`)}.table.core.windows.net`);
  if (endpoint) return { kind: "identity", endpoint, credential: credentialFor(name, env) };
  throw new SettingsError(`Set "${name}" to a storage connection string, or "${name}__tableServiceUri" / "${name}__accountName" for an identity-based connection.`);
}

export function loadSettings(env: Env = process.env): Settings {
  return { serviceBus: serviceBusConnection(env), eventGrid: eventGridConnection(env), storage: tableConnection(env) };
}
