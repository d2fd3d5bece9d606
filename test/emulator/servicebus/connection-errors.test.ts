import net from "node:net";
import rhea from "rhea";
import { isServiceBusError, type ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import {
  rawAmqpConnection,
  sasToken,
  serviceBusClient,
  serviceBusConfig,
  startServiceBusEmulator,
} from "../../helpers/servicebus.js";

let emulator: Emulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig([{ Name: "q1" }, { Name: "busy" }]));
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** Writes bytes on a fresh socket; resolves with what the server sent back once it closed the socket. */
function sendGarbage(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(emulator.serviceBus.port, "127.0.0.1", () => socket.write(bytes));
    const received: Buffer[] = [];
    socket.on("data", (d) => received.push(d));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(received)));
  });
}

describe("Service Bus connections and errors", () => {
  it("prints a connection string in the official emulator's format, which the SDK connects with", async () => {
    expect(emulator.serviceBus.connectionString).toBe(
      `Endpoint=sb://localhost:${emulator.serviceBus.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    );
    const sender = client.createSender("q1");
    await sender.sendMessages({ body: "connected" });
    const receiver = client.createReceiver("q1", { receiveMode: "receiveAndDelete" });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m.body).toBe("connected");
    await receiver.close();
    await sender.close();
  });

  it("lets a client log in with SASL MSSBCBS, the only mechanism the .NET SDK offers", async () => {
    // Azure.Messaging.ServiceBus's AmqpConnectionScope registers one SASL handler, anonymous in content, named
    // "MSSBCBS"; a server that offers only ANONYMOUS makes every .NET send fail with "None of the server
    // sasl-mechanisms ([ANONYMOUS]) are supported by the client (MSSBCBS)".
    const container = (rhea as any).create_container();
    container.on("error", () => undefined);
    const mssbcbs = { start: (done: (err: unknown, response: Buffer) => void) => done(undefined, Buffer.from([0])) };
    const connection = container.connect({
      host: "127.0.0.1",
      port: emulator.serviceBus.port,
      reconnect: false,
      sasl_mechanisms: { MSSBCBS: () => mssbcbs },
    });
    connection.on("connection_error", () => undefined);
    const outcome = await new Promise<string>((resolve) => {
      connection.once("connection_open", () => resolve("open"));
      connection.once("disconnected", (c: any) => resolve(`disconnected: ${c.error?.message ?? c.error ?? "?"}`));
    });
    connection.close();
    expect(outcome).toBe("open");
  });

  it("answers a $cbs put-token without reply-to on the client's $cbs receiver, as uamqp (Python SDK) expects", async () => {
    // azure-servicebus 7.x for Python (uamqp) sends put-token with only a message-id and waits on its one receiver
    // link attached to $cbs; Azure answers there, or the Python client never gets past authentication.
    const container = (rhea as any).create_container();
    container.on("error", () => undefined);
    const connection = container.connect({ host: "127.0.0.1", port: emulator.serviceBus.port, reconnect: false });
    connection.on("connection_error", () => undefined);
    await new Promise((resolve) => connection.once("connection_open", resolve));
    const receiver = connection.open_receiver({ name: "$cbs-receiver", source: { address: "$cbs" }, target: { address: "$cbs" } });
    const sender = connection.open_sender({ name: "$cbs-sender", target: { address: "$cbs" } });
    const audience = `sb://localhost:${emulator.serviceBus.port}/q1`;
    const answer = new Promise<any>((resolve) => receiver.once("message", (c: any) => resolve(c.message)));
    sender.once("sendable", () =>
      sender.send({
        message_id: 7,
        application_properties: { operation: "put-token", name: audience, type: "servicebus.windows.net:sastoken" },
        body: sasToken(audience),
      }),
    );
    const timeout = new Promise((resolve) => setTimeout(() => resolve("no answer within 2 s"), 2000));
    const message = await Promise.race([answer, timeout]);
    connection.close();
    expect(message?.application_properties?.["status-code"]).toBe(202);
    expect(message.correlation_id).toBe(7);
  });

  it("keeps a sender and a receiver that share one link name apart, as AMQP names links per direction", async () => {
    // Apache Qpid Proton names every link "<container id>-<address>", so a sender and a receiver on one queue get the
    // same name; the emulator used to close the whole connection ("Attach already received").
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const sender = raw.connection.open_sender({ name: "same-name", target: { address: "q1" } });
    await new Promise((resolve) => sender.once("sendable", resolve));
    const receiver = raw.connection.open_receiver({ name: "same-name", source: { address: "q1" }, credit_window: 1 });
    const received = new Promise<any>((resolve) => receiver.once("message", (c: any) => resolve(c.message.body)));
    const closed = new Promise<string>((resolve) =>
      raw.connection.once("connection_error", (c: any) => resolve(`closed: ${c.connection.error?.description}`)),
    );
    sender.send({ body: "one name, two links" });
    const outcome = await Promise.race([received, closed]);
    raw.close();
    expect(outcome).toBe("one name, two links");
  });

  it("reports UnauthorizedAccess for a wrong SharedAccessKey", async () => {
    const wrong = emulator.serviceBus.connectionString.replace("SharedAccessKey=SAS_KEY_VALUE", "SharedAccessKey=not-the-key");
    const badClient = serviceBusClient(emulator, {}, wrong);
    const error = await badClient
      .createSender("q1")
      .sendMessages({ body: "x" })
      .catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe("UnauthorizedAccess");
    await badClient.close();
  });

  it("reports MessagingEntityNotFound for an entity the config does not declare", async () => {
    const sendError = await client
      .createSender("no-such-queue")
      .sendMessages({ body: "x" })
      .catch((e: unknown) => e);
    expect(isServiceBusError(sendError) && sendError.code).toBe("MessagingEntityNotFound");
    const receiveError = await client
      .createReceiver("no-such-queue")
      .receiveMessages(1, { maxWaitTimeInMs: 1000 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(receiveError) && receiveError.code).toBe("MessagingEntityNotFound");
  });

  it("refuses an attach to an unknown address even with a valid namespace token", async () => {
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const error = await new Promise<any>((resolve) => {
      const sender = raw.connection.open_sender({ target: { address: "no-such-queue" } });
      sender.once("sender_error", (c: any) => resolve(c.sender.error));
    });
    expect(error.condition).toBe("amqp:not-found");
    expect(error.description).toMatch(/could not be found/);
    raw.close();
  });

  it("answers an unknown $management operation with an error and closes that link", async () => {
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const receiver = raw.connection.open_receiver({ source: { address: "q1/$management" }, target: { address: "mgmt-reply" } });
    const sender = raw.connection.open_sender({ target: { address: "q1/$management" } });
    const linkClosed = new Promise<any>((resolve) => sender.once("sender_error", (c: any) => resolve(c.sender.error)));
    const reply = await new Promise<any>((resolve) => {
      receiver.once("message", (c: any) => resolve(c.message));
      sender.once("sendable", () => sender.send({ message_id: "m-1", reply_to: "mgmt-reply", application_properties: { operation: "com.microsoft:no-such-thing" }, body: {} }));
    });
    expect(reply.correlation_id).toBe("m-1");
    expect(reply.application_properties.statusCode).toBe(501);
    expect(reply.application_properties.errorCondition).toBe("amqp:not-implemented");
    expect((await linkClosed).condition).toBe("amqp:not-implemented");
    raw.close();
  });

  it("closes a socket that sends garbage, and keeps serving an SDK client meanwhile", async () => {
    const sender = client.createSender("busy");
    const receiver = client.createReceiver("busy");
    const traffic = (async () => {
      for (let i = 0; i < 20; i++) await sender.sendMessages({ body: i });
      const got: number[] = [];
      while (got.length < 20) {
        const batch = await receiver.receiveMessages(20 - got.length, { maxWaitTimeInMs: 5000 });
        for (const m of batch) {
          got.push(m.body as number);
          await receiver.completeMessage(m);
        }
      }
      return got;
    })();
    const answers = await Promise.all([
      sendGarbage(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
      sendGarbage(Buffer.concat([Buffer.from("AMQP\x00\x01\x00\x00", "latin1"), Buffer.from([0, 0, 0, 12, 2, 0, 0, 0, 0x00, 0x53, 0xff, 0xff])])),
      sendGarbage(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 1, 2, 3])),
    ]);
    // Each peer got the AMQP protocol header back (the spec's answer to a bad header) before the socket closed.
    for (const answer of answers) expect(answer.subarray(0, 4).toString("latin1")).toBe("AMQP");
    expect((await traffic).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await receiver.close();
    await sender.close();
  });

  it("closes a connection that sends a malformed frame with an AMQP error", async () => {
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const closed = new Promise<any>((resolve) => raw.connection.once("connection_error", (c: any) => resolve(c.connection.error)));
    // A frame whose body is not a valid performative.
    raw.connection.socket.write(Buffer.from([0, 0, 0, 12, 2, 0, 0, 0, 0x00, 0x53, 0x99, 0xff]));
    const error = await closed;
    expect(error.condition).toBe("amqp:decode-error");
    // The server is still there for new clients.
    const again = await rawAmqpConnection(emulator.serviceBus.port);
    again.close();
  });
});
