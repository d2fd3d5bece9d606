/**
 * The administration API over plain HTTP on the emulator's HTTP port (the pipeline-policy way, notes 13.4), raw
 * requests for what the SDK never sends (bad XML, no token), and the certificate kept on disk between starts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ServiceBusAdministrationClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { sasToken, serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";

let emulator: Emulator;
let admin: ServiceBusAdministrationClient;
let certDir: string;

beforeAll(async () => {
  certDir = await mkdtemp(path.join(os.tmpdir(), "sb-admin-cert-"));
  emulator = await startEmulator({
    servicebusConfig: serviceBusConfig([{ Name: "configured" }]),
    servicebusPort: 0,
    httpPort: 0,
    kafkaPort: 0,
    certificateDir: certDir,
  } as Parameters<typeof startEmulator>[0]);
  admin = new ServiceBusAdministrationClient(emulator.serviceBus.connectionString, { retryOptions: { maxRetries: 0 } });
  const httpBase = emulator.http.url;
  // The SDK always builds https://<Endpoint host:port>/...: send it to the HTTP port instead.
  admin.pipeline.addPolicy({
    name: "emulatorHttp",
    sendRequest: (request, next) => {
      request.url = request.url.replace(/^https:\/\/[^/]+/, httpBase);
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
});

afterAll(async () => {
  await emulator?.close();
  await rm(certDir, { recursive: true, force: true });
});

const atomPut = (description: string) =>
  `<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom"><content type="application/xml">${description}</content></entry>`;

describe("Service Bus administration API over plain HTTP", () => {
  it("creates, reads and lists through the HTTP port with a URL-rewriting pipeline policy", async () => {
    await admin.createQueue("over-http", { lockDuration: "PT20S" });
    expect((await admin.getQueue("over-http")).lockDuration).toBe("PT20S");
    const names = [];
    for await (const q of admin.listQueues()) names.push(q.name);
    expect(names.sort()).toEqual(["configured", "over-http"]);
    const client = serviceBusClient(emulator);
    await client.createSender("over-http").sendMessages({ body: "hi" });
    expect((await admin.getQueueRuntimeProperties("over-http")).activeMessageCount).toBe(1);
    await client.close();
  });

  it("answers 401 with an <Error> body when the Authorization header is missing or wrong", async () => {
    const missing = await fetch(`${emulator.http.url}/configured?api-version=2021-05`);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toMatch(/<Error><Code>401<\/Code><Detail>MissingToken/);
    const forged = await fetch(`${emulator.http.url}/configured?api-version=2021-05`, {
      headers: { authorization: sasToken(`https://localhost/configured`, "not-the-key") },
    });
    expect(forged.status).toBe(401);
  });

  it("answers 400 for XML that is not well-formed and for an out-of-range property, and creates nothing", async () => {
    const auth = { authorization: sasToken(`https://localhost/`), "content-type": "application/atom+xml" };
    const broken = await fetch(`${emulator.http.url}/broken?api-version=2021-05`, { method: "PUT", headers: auth, body: "<entry><content>" });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/<Error><Code>400<\/Code><Detail>The request body is not well-formed XML/);
    const range = await fetch(`${emulator.http.url}/broken?api-version=2021-05`, {
      method: "PUT",
      headers: auth,
      body: atomPut(`<QueueDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"><MaxDeliveryCount>0</MaxDeliveryCount></QueueDescription>`),
    });
    expect(range.status).toBe(400);
    expect(await range.text()).toMatch(/MaxDeliveryCount must be between 1 and/);
    expect(await admin.queueExists("broken")).toBe(false);
  });

  it("keeps the other HTTP routes: health and unknown paths without api-version", async () => {
    expect((await fetch(`${emulator.http.url}/health`)).status).toBe(200);
    const unknown = await fetch(`${emulator.http.url}/no-such-thing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NotFound" } });
  });

  it("makes the certificate once in the given directory, serves it, and reuses it on the next start", async () => {
    const first = await emulator.serviceBus.certificate();
    expect(first.certPath).toBe(path.join(certDir, "tls", "cert.pem"));
    expect(await readFile(first.certPath!, "utf8")).toBe(first.cert);
    const served = await fetch(`${emulator.http.url}/emulator/certificate`);
    expect(served.headers.get("content-type")).toBe("application/x-pem-file");
    expect(await served.text()).toBe(first.cert);

    const again = await startEmulator({ servicebusConfig: serviceBusConfig([]), servicebusPort: 0, httpPort: 0, kafkaPort: 0, certificateDir: certDir } as Parameters<
      typeof startEmulator
    >[0]);
    try {
      expect((await again.serviceBus.certificate()).cert).toBe(first.cert);
    } finally {
      await again.close();
    }
  });
});
