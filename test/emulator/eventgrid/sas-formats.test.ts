/**
 * SAS tokens as each official SDK builds them, sent with the JS EventGridPublisherClient's AzureSASCredential (which
 * passes the token through verbatim). The SDKs agree on r=…&e=…&s=… and the HMAC, but not on the expiry text or the
 * URL encoding, and Azure accepts them all:
 * - JS `generateSharedAccessSignature`: "M/d/yyyy h:mm:ss AM" (UTC), encodeURIComponent, `?apiVersion=`;
 * - .NET `EventGridSasBuilder.GenerateSas`: DateTimeOffset in en-US, "M/d/yyyy h:mm:ss AM +00:00" (any offset),
 *   HttpUtility.UrlEncode (space as "+", lower-case hex), `?api-version=`;
 * - Java `EventGridPublisherAsyncClient.generateSas`: "M/d/yyyy h:m:s AM" (UTC, minutes and seconds unpadded),
 *   URLEncoder (space as "+"), `?api-version=`;
 * - Python `azure.eventgrid.generate_sas` (4.9.2): `str(datetime)`, e.g. "2030-01-02 00:05:06" (naive: UTC),
 *   "…06.123456" or "…06+02:00", quote() (space as %20), `?apiVersion=`.
 * The tokens here are built by the test in each SDK's format; the signature check must stay strict.
 */
import { createHmac } from "node:crypto";
import {
  AzureKeyCredential,
  AzureSASCredential,
  EventGridPublisherClient,
  generateSharedAccessSignature,
} from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startTestEventGrid,
  startWebhook,
  type TestEventGrid,
  type TestWebhook,
  webhookSubscription,
} from "./helpers.js";

let eg: TestEventGrid;
let hook: TestWebhook;

beforeAll(async () => {
  hook = await startWebhook();
  eg = await startTestEventGrid({
    topics: [{ name: "orders", eventSubscriptions: [webhookSubscription("all", hook.url)] }],
  });
});

afterAll(async () => {
  await eg?.close();
  await hook?.close();
});

type Encode = (s: string) => string;
/** encodeURIComponent keeps the same characters as Python's quote(safe="~()*!.'"). */
const pythonQuote: Encode = encodeURIComponent;
/** Java's URLEncoder and .NET's HttpUtility.UrlEncode write a space as "+"; .NET uses lower-case hex. */
const javaUrlEncode: Encode = (s) => encodeURIComponent(s).replace(/%20/g, "+");
const dotnetUrlEncode: Encode = (s) => javaUrlEncode(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());

function signedToken(resource: string, expiry: string, key: string, encode: Encode): string {
  const unsigned = `r=${encode(resource)}&e=${encode(expiry)}`;
  const signature = createHmac("sha256", Buffer.from(key, "base64")).update(unsigned, "utf8").digest("base64");
  return `${unsigned}&s=${encode(signature)}`;
}

const inAnHour = () => new Date(Date.now() + 3_600_000);
const pad = (n: number) => String(n).padStart(2, "0");
const ampm = (d: Date) => (d.getUTCHours() < 12 ? "AM" : "PM");
const hour12 = (d: Date) => d.getUTCHours() % 12 || 12;
const usDate = (d: Date) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;

const pythonStr = (at: Date) => at.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
const python = (endpoint: string, key: string, expiry: string) =>
  signedToken(`${endpoint}?apiVersion=2018-01-01`, expiry, key, pythonQuote);

const formats: Record<string, (endpoint: string, key: string, at: Date) => string> = {
  ".NET EventGridSasBuilder (en-US DateTimeOffset with offset)": (endpoint, key, at) =>
    signedToken(
      `${endpoint}?api-version=2018-01-01`,
      `${usDate(at)} ${hour12(at)}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} ${ampm(at)} +00:00`,
      key,
      dotnetUrlEncode,
    ),
  "Java generateSas (unpadded minutes and seconds)": (endpoint, key, at) =>
    signedToken(
      `${endpoint}?api-version=2018-01-01`,
      `${usDate(at)} ${hour12(at)}:${at.getUTCMinutes()}:${at.getUTCSeconds()} ${ampm(at)}`,
      key,
      javaUrlEncode,
    ),
  "Python generate_sas, naive UTC datetime": (endpoint, key, at) => python(endpoint, key, pythonStr(at)),
  "Python generate_sas, datetime with microseconds": (endpoint, key, at) =>
    python(endpoint, key, `${pythonStr(at)}.${String(at.getUTCMilliseconds()).padStart(3, "0")}123`),
  "Python generate_sas, timezone-aware datetime (+02:00)": (endpoint, key, at) =>
    python(endpoint, key, `${pythonStr(new Date(at.getTime() + 2 * 3_600_000))}+02:00`),
};

const publishWith = (sas: string) =>
  new EventGridPublisherClient(eg.endpoint("orders"), "EventGrid", new AzureSASCredential(sas), {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  }).send([{ eventType: "Contoso.Orders.Placed", subject: "orders/sas", dataVersion: "1", data: {} }]);

describe("SAS tokens from every SDK", () => {
  it("accepts the JS SDK's generateSharedAccessSignature token", async () => {
    const key = new AzureKeyCredential(eg.key("orders"));
    const sas = await generateSharedAccessSignature(eg.endpoint("orders"), key, inAnHour());
    await expect(publishWith(sas)).resolves.toBeDefined();
  });

  for (const [name, build] of Object.entries(formats)) {
    it(`accepts a ${name} token`, async () => {
      await expect(publishWith(build(eg.endpoint("orders"), eg.key("orders"), inAnHour()))).resolves.toBeDefined();
    });

    it(`refuses a ${name} token that has expired or is signed with another key`, async () => {
      const aMinuteAgo = new Date(Date.now() - 60_000);
      const expired = await publishWith(build(eg.endpoint("orders"), eg.key("orders"), aMinuteAgo)).catch((e) => e);
      expect(expired.statusCode).toBe(401);
      expect(expired.message).toMatch(/expired/);
      const otherKey = Buffer.from("another key entirely, 32 bytes!!").toString("base64");
      const forged = await publishWith(build(eg.endpoint("orders"), otherKey, inAnHour())).catch((e) => e);
      expect(forged.statusCode).toBe(401);
      expect(forged.message).toMatch(/signature does not match/);
    });
  }

  it("refuses an expiry in no SDK's format with 401 naming the value", async () => {
    const resource = `${eg.endpoint("orders")}?api-version=2018-01-01`;
    const sas = signedToken(resource, "next tuesday", eg.key("orders"), encodeURIComponent);
    const err = await publishWith(sas).catch((e) => e);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/expiry 'next tuesday'/);
  });

  it("refuses a token signed with the topic's key for an Azure topic's endpoint (r= must be this topic)", async () => {
    const azure = "https://orders.westeurope-1.eventgrid.azure.net/api/events?api-version=2018-01-01";
    const sas = signedToken(azure, pythonStr(inAnHour()), eg.key("orders"), encodeURIComponent);
    const err = await publishWith(sas).catch((e) => e);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/is not this topic's endpoint/);
  });
});
