/**
 * Publishes catalog events to an Event Grid topic (CloudEvents 1.0 input schema) with the real SDK, authenticated
 * with the topic key locally and with an identity in Azure.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import type { EventGridConnection } from "../config.js";
import type { CloudEvent } from "../events/envelope.js";
import type { EventPublisher } from "./service-bus-event-publisher.js";

export class EventGridEventPublisher implements EventPublisher {
  private readonly client: EventGridPublisherClient<"CloudEvent">;

  constructor(connection: EventGridConnection) {
    const credential = connection.kind === "key" ? new AzureKeyCredential(connection.key) : connection.credential;
    // The emulator listens on plain HTTP; Azure's endpoints are https and unaffected.
    this.client = new EventGridPublisherClient(connection.endpoint, "CloudEvent", credential, { allowInsecureConnection: connection.endpoint.startsWith("http:") });
  }

  async publish(events: CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.client.send(
      events.map((e) => ({
        id: e.id,
        source: e.source,
        type: e.type,
        subject: e.subject,
        time: new Date(e.time),
        datacontenttype: e.datacontenttype,
        data: e.data,
        extensionAttributes: { correlationid: e.correlationid },
      })),
    );
  }

  async close(): Promise<void> {}
}
