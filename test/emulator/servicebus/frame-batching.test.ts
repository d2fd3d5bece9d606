/**
 * Frame patterns the JavaScript SDK never writes but other AMQP 1.0 clients do: several performatives for one link in
 * a single read (an attach with its flow; a disposition with the detach, end or close after it). A raw rhea peer
 * writes them, corked into one socket write so the emulator reads them together, as it would from a C or Java client.
 */
import type { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/index.js";
import {
  rawAmqpConnection,
  sendWith,
  serviceBusClient,
  serviceBusConfig,
  startServiceBusEmulator,
} from "../../helpers/servicebus.js";

type RawConnection = Awaited<ReturnType<typeof rawAmqpConnection>>;

let emulator: Emulator;
let client: ServiceBusClient;
const queues = [
  "credit-on-attach",
  "complete-detach",
  "complete-end",
  "complete-close",
  "dead-letter-detach",
  "dead-letter-end",
];

beforeAll(async () => {
  emulator = await startServiceBusEmulator(serviceBusConfig(queues.map((Name) => ({ Name }))));
  client = serviceBusClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** Runs `write` with the peer's socket corked, so every frame rhea writes in that turn reaches the emulator at once. */
async function inOneWrite(raw: RawConnection, write: () => void): Promise<void> {
  const socket = raw.connection.socket;
  socket.cork();
  write();
  // rhea encodes frames on its next tick; uncork after that.
  await new Promise((resolve) => setImmediate(resolve));
  socket.uncork();
}

/** The attaches and transfers the peer received, in order, with the emulator's handle and the link name if any. */
function recordFrames(raw: RawConnection): { frame: string; handle: number; name?: string }[] {
  const seen: { frame: string; handle: number; name?: string }[] = [];
  for (const frame of ["attach", "transfer"]) {
    const original = raw.connection[`on_${frame}`];
    raw.connection[`on_${frame}`] = function (received: any) {
      const { handle, name } = received.performative;
      seen.push(frame === "attach" ? { frame, handle, name } : { frame, handle });
      return original.call(this, received);
    };
  }
  return seen;
}

function nextMessage(link: any, raw: RawConnection): Promise<{ messageId: unknown; delivery: any }> {
  return new Promise((resolve, reject) => {
    link.once("message", (c: any) => resolve({ messageId: c.message.message_id, delivery: c.delivery }));
    raw.connection.once("disconnected", () => reject(new Error("the emulator's frames ended the peer's connection")));
  });
}

const DEAD_LETTER = {
  condition: "com.microsoft:dead-letter",
  info: { DeadLetterReason: "Raw", DeadLetterErrorDescription: "raw peer" },
};

describe("Service Bus frames read in one batch", () => {
  it("answers a receiver that attaches with credit before sending it any message", async () => {
    await sendWith(client, "credit-on-attach", { body: "waiting", messageId: "waiting" });
    const raw = await rawAmqpConnection(emulator.serviceBus.port);
    const frames = recordFrames(raw);
    let link: any;
    await inOneWrite(raw, () => {
      // Credit right away (rhea's credit window would only grant it once the emulator's attach arrives).
      const source = { address: "credit-on-attach" };
      link = raw.connection.open_receiver({ source, credit_window: 0, autoaccept: false });
      link.flow(10);
    });
    const { messageId, delivery } = await nextMessage(link, raw);
    expect(messageId).toBe("waiting");
    const handle = frames.find((f) => f.name === link.name)?.handle;
    expect(frames.filter((f) => f.handle === handle).map((f) => f.frame)).toEqual(["attach", "transfer"]);
    delivery.accept();
    raw.close();
  });

  const cases = [
    { queue: "complete-detach", settle: "complete", then: "detach" },
    { queue: "complete-end", settle: "complete", then: "end" },
    { queue: "complete-close", settle: "complete", then: "close" },
    { queue: "dead-letter-detach", settle: "dead-letter", then: "detach" },
    { queue: "dead-letter-end", settle: "dead-letter", then: "end" },
  ] as const;
  for (const { queue, settle, then } of cases) {
    it(`keeps a ${settle} sent in the same write as the peer's ${then}`, async () => {
      await sendWith(client, queue, { body: `to ${settle}` });
      const raw = await rawAmqpConnection(emulator.serviceBus.port);
      const session = raw.connection.create_session();
      session.begin();
      const link = session.open_receiver({ source: { address: queue }, credit_window: 1, autoaccept: false });
      const { delivery } = await nextMessage(link, raw);
      await inOneWrite(raw, () => {
        if (settle === "complete") delivery.accept();
        else delivery.reject(DEAD_LETTER);
        if (then === "detach") link.close();
        else if (then === "end") session.close();
        else raw.connection.close();
      });
      const receiver = client.createReceiver(queue, { receiveMode: "receiveAndDelete" });
      expect(await receiver.peekMessages(1)).toHaveLength(0);
      const dlq = client.createReceiver(queue, { subQueueType: "deadLetter", receiveMode: "receiveAndDelete" });
      const expected = settle === "dead-letter" ? [[`to ${settle}`, "Raw"]] : [];
      const dead = await dlq.receiveMessages(1, { maxWaitTimeInMs: expected.length > 0 ? 5000 : 200 });
      expect(dead.map((m) => [m.body, m.deadLetterReason])).toEqual(expected);
      await dlq.close();
      await receiver.close();
      if (then !== "close") raw.close();
    });
  }
});
