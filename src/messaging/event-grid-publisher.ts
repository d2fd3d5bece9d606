/**
 * Publishes the catalog's `notify` events (PurchaseCompleted, PurchaseCancelled) to the Event Grid topic, CloudEvents
 * 1.0 input schema, with the real SDK: the topic key locally, an identity in Azure. The extension attributes
 * (correlationid, causationid, traceparent) travel with each event; traceparent is this publish's span when tracing
 * is on, so the subscriber's span becomes its child.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { type EventGridConnection, topology } from "../config.js";
import type { CloudEvent } from "../events/envelope.js";
import { tracedPublish } from "../telemetry/publish-tracing.js";

export interface NotificationPublisher {
  publish(events: readonly CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Event Grid accepts up to 1 MB per request; the notify events are small, so a few hundred per request is safe. */
const EVENTS_PER_REQUEST = 100;

export class EventGridPublisher implements NotificationPublisher {
  private readonly client: EventGridPublisherClient<"CloudEvent">;
  private readonly topicName: string;

  constructor(connection: EventGridConnection, topicName: string = topology.eventGridTopic) {
    const credential = connection.kind === "key" ? new AzureKeyCredential(connection.key) : connection.credential;
    // The emulator listens on plain HTTP; Azure's endpoints are https and unaffected.
    this.client = new EventGridPublisherClient(connection.endpoint, "CloudEvent", credential, { allowInsecureConnection: connection.endpoint.startsWith("http:") });
    this.topicName = topicName;
  }

  async publish(events: readonly CloudEvent[]): Promise<void> {
    await tracedPublish(
      "eventgrid",
      events.map((message) => ({ message, destination: this.topicName })),
      (traceparents) => this.send(events.map((e, i) => ({ ...e, ...(traceparents[i] === undefined ? {} : { traceparent: traceparents[i] }) }))),
    );
  }

  private async send(events: readonly CloudEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += EVENTS_PER_REQUEST) {
      await this.client.send(
        events.slice(i, i + EVENTS_PER_REQUEST).map((e) => ({
          id: e.id,
          source: e.source,
          type: e.type,
          ...(e.subject === undefined ? {} : { subject: e.subject }),
          time: new Date(e.time),
          datacontenttype: e.datacontenttype,
          data: e.data,
          extensionAttributes: {
            correlationid: e.correlationid,
            ...(e.causationid === undefined ? {} : { causationid: e.causationid }),
            ...(e.traceparent === undefined ? {} : { traceparent: e.traceparent }),
          },
        })),
      );
    }
  }

  async close(): Promise<void> {}
}
