/**
 * Event Grid requests that match no topic route, on the HTTP port the Service Bus administration API shares: Azure
 * answers a wrong publish URL with 404 and Event Grid's JSON error (which the SDKs read as RestError code/message),
 * never Service Bus's 401 XML; the Service Bus ATOM routes keep working next to it.
 */
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { ServiceBusAdministrationClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { serviceBusConfig } from "../../helpers/servicebus.js";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    servicebusConfig: serviceBusConfig([{ Name: "configured" }]),
    eventgridConfig: { topics: [{ name: "orders" }] },
  });
});

afterAll(async () => {
  await emulator?.close();
});

const topic = () => emulator.eventGrid.topics.find((t) => t.name === "orders")!;
const publishTo = (endpoint: string) =>
  new EventGridPublisherClient(endpoint, "EventGrid", new AzureKeyCredential(topic().key), {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  })
    .send([{ eventType: "Contoso.Orders.Placed", subject: "orders/1", dataVersion: "1", data: {} }])
    .catch((e) => e);

async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(`${emulator.http.url}${path}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const contentType = res.headers.get("content-type") ?? "";
  return { status: res.status, contentType, allow: res.headers.get("allow"), text, json };
}

describe("Event Grid requests to a path no topic serves", () => {
  it("answers the SDK publishing to Azure's /api/events path with 404 NotFound in Event Grid's JSON", async () => {
    const err = await publishTo(`${emulator.http.url}/api/events`);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("NotFound");
    const uri = `${emulator.http.url}/api/events?api-version=2018-01-01`;
    expect(err.message).toMatch(/^No HTTP resource was found that matches the request URI '/);
    expect(err.message).toContain(`'${uri}'`);
  });

  it("answers a mistyped topic path and an unknown topic with 404 NotFound in Event Grid's JSON", async () => {
    const mistyped = topic().endpoint.replace(/\/api\/events$/, "/api/event");
    for (const endpoint of [mistyped, topic().endpoint.replace("/orders/", "/nope/")]) {
      const err = await publishTo(endpoint);
      expect(err.statusCode).toBe(404);
      expect(err.code).toBe("NotFound");
      expect(err.details.body.error.details[0].code).toBe("ResourceNotFound");
    }
  });

  it("answers a CloudEvents batch and a SAS-token request to a wrong path the same way", async () => {
    const cloudEvents = await raw("/topics/orders/api/events?api-version=2018-01-01", {
      method: "POST",
      headers: { "content-type": "application/cloudevents-batch+json; charset=utf-8", "aeg-sas-token": "r=x&e=y&s=z" },
      body: "[]",
    });
    expect(cloudEvents.status).toBe(404);
    expect(cloudEvents.contentType).toMatch(/^application\/json/);
    expect(cloudEvents.json.error.code).toBe("NotFound");
  });

  it("answers another method on a publish path with 405 and Allow: OPTIONS, POST", async () => {
    const res = await raw(`/eventgrid/topics/orders/api/events?api-version=2018-01-01`, { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.allow).toBe("OPTIONS, POST");
    expect(res.json.error.code).toBe("MethodNotAllowed");
  });

  it("still serves the Service Bus administration API (ATOM XML) on the same port", async () => {
    const options = { retryOptions: { maxRetries: 0 } };
    const admin = new ServiceBusAdministrationClient(emulator.serviceBus.connectionString, options);
    admin.pipeline.addPolicy({
      name: "emulatorHttp",
      sendRequest: (request, next) => {
        request.url = request.url.replace(/^https:\/\/[^/]+/, emulator.http.url);
        request.allowInsecureConnection = true;
        return next(request);
      },
    });
    expect((await admin.getQueue("configured")).name).toBe("configured");
    expect(await admin.queueExists("absent")).toBe(false);
    const unauthorized = await raw("/configured?api-version=2021-05");
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.contentType).toMatch(/xml/);
  });
});
