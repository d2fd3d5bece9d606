/**
 * AMQPS (AMQP over TLS, Azure's port 5671) beside the plain AMQP port: what clients that always use TLS need — a
 * credential object instead of a connection string, or a connection string without UseDevelopmentEmulator. Node reads
 * trusted certificates (NODE_EXTRA_CA_CERTS) only at start and the SDK passes no `ca` to its TLS socket, so the SDK
 * runs in a child process that trusts the emulator's certificate, as a user's app would.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { ServiceBusAdministrationClient, type ServiceBusClient } from "@azure/service-bus";
import rhea from "rhea";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificate, type TlsCertificate } from "../../../emulator/common/tls.js";
import { type Emulator, startEmulator } from "../../../emulator/index.js";
import { sasToken, serviceBusClient, serviceBusConfig } from "../../helpers/servicebus.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sb-amqps-"));
const certPath = join(dir, "cert.pem");

let certificate: TlsCertificate;
let emulator: Emulator;
let plainClient: ServiceBusClient;

beforeAll(async () => {
  certificate = await generateCertificate();
  writeFileSync(certPath, certificate.cert);
  const config = serviceBusConfig([{ Name: "secure" }, { Name: "plain" }]);
  const ports = { servicebusPort: 0, servicebusAmqpsPort: 0, httpPort: 0, kafkaPort: 0 };
  const options = { servicebusConfig: config, ...ports, tlsCertificate: certificate };
  emulator = await startEmulator(options as Parameters<typeof startEmulator>[0]);
  plainClient = serviceBusClient(emulator);
});

afterAll(async () => {
  await plainClient?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the SDK in a child that trusts the emulator's certificate: sends `body` with one client and receives it with
 * the other. `how` picks the TLS path: a credential with `localhost:<port>`, or a connection string without the flag.
 */
function sdkOverTls(how: "named-key-credential" | "connection-string", port: number, body: string): Promise<string> {
  const script = `
    import { AzureNamedKeyCredential } from "@azure/core-auth";
    import serviceBus from "@azure/service-bus";
    const { ServiceBusClient } = serviceBus;
    const { HOW, PORT, BODY } = process.env;
    const options = { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } };
    const [keyName, key] = ["RootManageSharedAccessKey", "SAS_KEY_VALUE"];
    const withoutFlag = "Endpoint=sb://localhost:" + PORT + ";SharedAccessKeyName=" + keyName
      + ";SharedAccessKey=" + key;
    const client = HOW === "named-key-credential"
      ? new ServiceBusClient("localhost:" + PORT, new AzureNamedKeyCredential(keyName, key), options)
      : new ServiceBusClient(withoutFlag, options);
    await client.createSender("secure").sendMessages({ body: BODY });
    const receiver = client.createReceiver("secure", { receiveMode: "receiveAndDelete" });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await client.close();
    console.log(JSON.stringify(message?.body ?? null));
  `;
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certPath, HOW: how, PORT: String(port), BODY: body };
  return new Promise((resolve, reject) => {
    const options = { cwd: repoRoot, env, timeout: 30_000 };
    execFile(process.execPath, ["--input-type=module", "-e", script], options, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    });
  });
}

const SASL_HEADER = Buffer.from("AMQP\x03\x01\x00\x00", "latin1");

/** What a TLS client trusting `ca` gets back after the AMQP SASL protocol header. */
function tlsAmqpHeader(port: number, ca: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port, servername: "localhost", ca };
    const socket = tls.connect(options, () => socket.write(SASL_HEADER));
    socket.once("data", (data: Buffer) => {
      socket.destroy();
      resolve(data.subarray(0, 8));
    });
    socket.once("error", reject);
  });
}

describe("Service Bus AMQPS (TLS) port", () => {
  it("serves the emulator's certificate on its own port and speaks AMQP behind it", async () => {
    const port = emulator.serviceBus.amqpsPort!;
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(emulator.serviceBus.port);
    expect((await tlsAmqpHeader(port, certificate.cert)).toString("latin1")).toBe("AMQP\x03\x01\x00\x00");
    expect(emulator.serviceBus.tlsConnectionString).toBe(
      `Endpoint=sb://localhost:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;`,
    );
  });

  it("lets the SDK send and receive with AzureNamedKeyCredential, which always uses TLS", async () => {
    expect(await sdkOverTls("named-key-credential", emulator.serviceBus.amqpsPort!, "over tls")).toBe("over tls");
  });

  it("lets the SDK send and receive with a connection string without UseDevelopmentEmulator", async () => {
    const received = await sdkOverTls("connection-string", emulator.serviceBus.amqpsPort!, "also over tls");
    expect(received).toBe("also over tls");
  });

  it("serves the administration API on the AMQPS port too: the TLS connection string works for both clients", async () => {
    const options = { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 0 } };
    const admin = new ServiceBusAdministrationClient(emulator.serviceBus.tlsConnectionString!, options);
    const queue = await admin.getQueue("secure");
    expect(queue.name).toBe("secure");
    expect((await admin.getQueueRuntimeProperties("secure")).totalMessageCount).toBeGreaterThanOrEqual(0);
  });

  it("drops a peer that speaks plain AMQP or garbage to the TLS port, and both ports keep serving", async () => {
    const port = emulator.serviceBus.amqpsPort!;
    const garbageHello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20]), Buffer.alloc(32, 0xee)]);
    for (const bytes of [SASL_HEADER, garbageHello]) {
      const closed = await new Promise<boolean>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
        socket.on("error", () => undefined);
        socket.on("data", () => undefined);
        socket.on("close", () => resolve(true));
        socket.setTimeout(5000, () => reject(new Error("the TLS port kept a bad peer open")));
      });
      expect(closed).toBe(true);
    }
    expect((await tlsAmqpHeader(port, certificate.cert)).toString("latin1")).toBe("AMQP\x03\x01\x00\x00");
    await plainClient.createSender("plain").sendMessages({ body: "plain still works" });
    const receiver = plainClient.createReceiver("plain", { receiveMode: "receiveAndDelete" });
    const received = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(received.map((m) => m.body)).toEqual(["plain still works"]);
    await receiver.close();
  });
});

/**
 * An AMQP connection over TLS whose SASL offers only MSSBCBS (what uamqp-based clients such as Debian's Python
 * azure-servicebus 7.8 insist on); resolves once the connection is open, rejects with the SASL failure.
 */
async function openWithMssbcbs(port: number, ca: string): Promise<any> {
  const container = (rhea as any).create_container();
  container.on("error", () => undefined);
  const mssbcbs = { start: (done: (err: unknown, response: Buffer) => void) => done(undefined, Buffer.alloc(0)) };
  const tlsOptions = { transport: "tls", host: "127.0.0.1", servername: "localhost", port, ca };
  const sasl_mechanisms = { MSSBCBS: () => mssbcbs };
  const connection = container.connect({ ...tlsOptions, reconnect: false, sasl_mechanisms });
  connection.on("connection_error", () => undefined);
  connection.on("disconnected", () => undefined);
  await new Promise<void>((resolve, reject) => {
    connection.once("connection_open", () => resolve());
    connection.once("disconnected", (context: any) => reject(context.error ?? new Error("disconnected before open")));
  });
  return connection;
}

describe("Service Bus SASL", () => {
  it("accepts SASL mechanism MSSBCBS, as Azure offers it (authentication then goes through $cbs)", async () => {
    const connection = await openWithMssbcbs(emulator.serviceBus.amqpsPort!, certificate.cert);
    expect(connection.is_open()).toBe(true);
    connection.close();
  });
});

interface UamqpStyleConnection {
  connection: any;
  putToken(audience: string): Promise<any>;
}

/**
 * A connection as uamqp (Python azure-servicebus 7.8) makes it: TLS, SASL MSSBCBS, CBS links with source and target
 * `$cbs`, a put-token with a numeric message-id and no reply-to, then links to absolute `amqps://host/entity`
 * addresses.
 */
async function uamqpStyleConnection(port: number, ca: string): Promise<UamqpStyleConnection> {
  const connection = await openWithMssbcbs(port, ca);
  const cbs = { source: { address: "$cbs" }, target: { address: "$cbs" } };
  const replies = connection.open_receiver({ name: "$cbs-receiver", ...cbs });
  const requests = connection.open_sender({ name: "$cbs-sender", ...cbs });
  await new Promise((resolve) => requests.once("sendable", resolve));
  const putToken = (audience: string) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no put-token reply within 3 s")), 3000);
      replies.once("message", (context: any) => {
        clearTimeout(timer);
        resolve(context.message);
      });
      const message_id = (rhea as any).types.wrap_ulong(0);
      const type = "servicebus.windows.net:sastoken";
      const application_properties = { operation: "put-token", name: audience, type };
      requests.send({ message_id, application_properties, body: sasToken(audience) });
    });
  return { connection, putToken };
}

describe("Clients built on uamqp (Python azure-servicebus 7.8)", () => {
  it("answers a put-token without reply-to on the client's $cbs receiver, correlated by its message-id", async () => {
    const { connection, putToken } = await uamqpStyleConnection(emulator.serviceBus.amqpsPort!, certificate.cert);
    const reply = await putToken("sb://localhost/secure");
    expect(reply.application_properties["status-code"]).toBe(202);
    expect(reply.correlation_id).toBe(0);
    connection.close();
  });

  it("attaches to absolute amqps://host/entity addresses as Azure does", async () => {
    const { connection, putToken } = await uamqpStyleConnection(emulator.serviceBus.amqpsPort!, certificate.cert);
    await putToken("sb://localhost/secure");
    const sender = connection.open_sender({ target: { address: "amqps://localhost/secure" } });
    const outcome = await new Promise<string>((resolve) => {
      sender.once("sendable", () => sender.send({ body: "absolute address" }));
      sender.once("accepted", () => resolve("accepted"));
      sender.once("rejected", (c: any) => resolve(`rejected: ${c.delivery.remote_state?.error?.description}`));
      sender.once("sender_error", (context: any) => resolve(`detached: ${context.sender.error?.description}`));
    });
    expect(outcome).toBe("accepted");
    connection.close();
    const receiver = plainClient.createReceiver("secure", { receiveMode: "receiveAndDelete" });
    const received = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(received.map((m) => m.body)).toEqual(["absolute address"]);
    await receiver.close();
  });
  it("settles a $management request before it sends the response, which uamqp insists on", async () => {
    const { connection, putToken } = await uamqpStyleConnection(emulator.serviceBus.amqpsPort!, certificate.cert);
    await putToken("sb://localhost/secure");
    const node = { source: { address: "secure/$management" }, target: { address: "secure/$management" } };
    const replies = connection.open_receiver({ name: "secure/$management-receiver", ...node });
    const requests = connection.open_sender({ name: "secure/$management-sender", ...node });
    const events: string[] = [];
    const answered = new Promise<void>((resolve) => {
      requests.once("accepted", () => events.push("request settled"));
      replies.once("message", () => {
        events.push("response");
        resolve();
      });
    });
    requests.once("sendable", () => {
      const { wrap_ulong, wrap_long, wrap_int } = (rhea as any).types;
      const application_properties = { operation: "com.microsoft:peek-message" };
      const body = { "from-sequence-number": wrap_long(1), "message-count": wrap_int(1) };
      requests.send({ message_id: wrap_ulong(1), reply_to: "secure/$management", application_properties, body });
    });
    await answered;
    expect(events).toEqual(["request settled", "response"]);
    connection.close();
  });
  it("puts a deferred message's lock token in its delivery annotations, where Python reads it to settle it", async () => {
    await plainClient.createSender("secure").sendMessages({ body: "to defer" });
    const receiver = plainClient.createReceiver("secure");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deferMessage(message);
    const [deferred] = await receiver.receiveDeferredMessages([message.sequenceNumber!]);
    const annotations = deferred._rawAmqpMessage.deliveryAnnotations ?? {};
    // A uuid: 16 bytes, in whatever array-like shape the SDK hands it over.
    const token = annotations["x-opt-lock-token"] as ArrayLike<number> | undefined;
    const text = token ? Buffer.from(Object.values(token)).toString("hex") : "none";
    expect(text).toBe(deferred.lockToken!.replace(/-/g, ""));
    await receiver.completeMessage(deferred);
    await receiver.close();
  });
});

describe("npm run emulator and AMQPS", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  it("takes --servicebus-amqps-port and prints the AMQPS endpoint with the other endpoints", async () => {
    const ports = ["--servicebus-port", "0", "--servicebus-amqps-port", "0", "--http-port", "0", "--kafka-port", "0"];
    const args = ["--import", "tsx", "emulator/cli.ts", ...ports, "--log-level", "warn"];
    // The certificate is made in this test's folder, not in the user's cache.
    const env = { ...process.env, XDG_CACHE_HOME: dir };
    child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    const out = await new Promise<string>((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error(`no AMQPS line within 20 s:\n${text}`)), 20_000);
      child!.stdout!.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (/Kafka bootstrap servers/.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      child!.once("exit", (code) => reject(new Error(`the emulator exited with code ${code}:\n${text}`)));
    });
    const line = /^Service Bus AMQPS \(TLS\) port: (\d+)/m.exec(out);
    expect(line, out).not.toBeNull();
    const connection = /^(Endpoint=sb:\/\/localhost:(\d+);[^\n]*)$/m.exec(out.slice(out.indexOf("AMQPS")));
    expect(connection?.[1]).not.toMatch(/UseDevelopmentEmulator/);
    expect(connection?.[2]).toBe(line![1]);
  });
});
