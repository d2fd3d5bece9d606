/**
 * The Event Grid output binding, sent with the real @azure/eventgrid publisher. `topicEndpointUri` and
 * `topicKeySetting` name app settings (or `connection` names `<connection>__topicEndpointUri` and
 * `<connection>__topicKey`). Items that look like Event Grid events go in the Event Grid schema, others as
 * CloudEvents, as the extension's collector decides by the first item.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import type { RpcBindingInfo } from "../rpc-types.js";

type Item = Record<string, unknown>;

function setting(env: Record<string, string>, name: unknown, where: string, what: string): string {
  if (typeof name !== "string" || name === "") throw new Error(`${where}: the Event Grid output needs ${what}.`);
  const value = env[name];
  if (!value) throw new Error(`${where}: the app setting "${name}" (${what}) is not set.`);
  return value;
}

// Publisher clients by endpoint, key and schema: each holds an HTTP pipeline worth keeping between invocations.
const publishers = new Map<string, unknown>();

function publisher<S extends "EventGrid" | "CloudEvent">(endpoint: string, key: string, schema: S): EventGridPublisherClient<S> {
  const id = JSON.stringify([endpoint, key, schema]);
  let client = publishers.get(id) as EventGridPublisherClient<S> | undefined;
  if (!client) {
    client = new EventGridPublisherClient(endpoint, schema, new AzureKeyCredential(key), { allowInsecureConnection: endpoint.startsWith("http:") });
    publishers.set(id, client);
  }
  return client;
}

const isEventGridEvent = (i: Item) => typeof i.eventType === "string" && typeof i.subject === "string" && "dataVersion" in i;
const asDate = (v: unknown) => (typeof v === "string" || typeof v === "number" ? new Date(v) : undefined);

export async function sendEventGridOutput(binding: RpcBindingInfo, items: unknown[], env: Record<string, string>, where: string): Promise<void> {
  if (items.length === 0) return;
  if (items.some((i) => typeof i !== "object" || i === null || Buffer.isBuffer(i))) throw new Error(`${where}: Event Grid output items must be event objects.`);
  const events = items as Item[];
  const conn = typeof binding.connection === "string" && binding.connection !== "" ? binding.connection : undefined;
  const endpoint = conn ? setting(env, `${conn}__topicEndpointUri`, where, "a topic endpoint") : setting(env, binding.topicEndpointUri, where, "topicEndpointUri");
  const key = conn ? setting(env, `${conn}__topicKey`, where, "a topic key") : setting(env, binding.topicKeySetting, where, "topicKeySetting");
  if (isEventGridEvent(events[0])) {
    const client = publisher(endpoint, key, "EventGrid");
    await client.send(
      events.map((e) => ({
        id: typeof e.id === "string" ? e.id : undefined,
        eventType: String(e.eventType),
        subject: String(e.subject),
        dataVersion: String(e.dataVersion ?? "1.0"),
        data: e.data,
        eventTime: asDate(e.eventTime),
        topic: typeof e.topic === "string" ? e.topic : undefined,
      })),
    );
  } else {
    const client = publisher(endpoint, key, "CloudEvent");
    await client.send(
      events.map((e) => {
        const { type, source, id, time, data, subject, datacontenttype, dataschema, specversion: _v, ...extensions } = e;
        return {
          type: String(type),
          source: String(source),
          id: typeof id === "string" ? id : undefined,
          time: asDate(time),
          data,
          subject: typeof subject === "string" ? subject : undefined,
          datacontenttype: typeof datacontenttype === "string" ? datacontenttype : undefined,
          dataschema: typeof dataschema === "string" ? dataschema : undefined,
          extensionAttributes: Object.keys(extensions).length > 0 ? extensions : undefined,
        };
      }),
    );
  }
}
