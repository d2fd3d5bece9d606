/**
 * What a refused command costs, before and after the command handlers settled their own messages: PURCHASES
 * PlacePurchase commands go straight onto the `commands` topic (as replayed or hand-sent commands would; the API
 * refuses both kinds up front), a share of them refused by the domain for good (ConcertNotFound: the concert does
 * not exist), a share sold out (the concert has fewer tickets than buyers: the purchase is placed, its reservation
 * is rejected and the purchase cancelled, which is not a refusal), the rest bought. Run twice on a fresh system:
 *   abandon path      Commands__deadLetterRefusals=false: a refusal is thrown, abandoned, redelivered, and Service
 *                     Bus dead-letters it after MaxDeliveryCount (5) with reason MaxDeliveryCountExceeded;
 *   dead-letter path  the default: the purchases function dead-letters it at once with reason ConcertNotFound.
 * Figures: `purchases` invocations per refused command and per sold-out command, and the time until every refused
 * command is in the dead-letter queue.
 */
import { ServiceBusClient } from "@azure/service-bus";
import Long from "long";
import { createMessage } from "../../src/events/catalog.js";
import { FUTURE_START } from "../helpers/future-start.js";
import { busMessage } from "../system/services-harness.js";
import { startSystemUnderTest, until } from "../system/system-under-test.js";
import { type BenchRow, type BenchSuite, round1 } from "./harness.js";

const suite = "refusals";
const PURCHASES = 100;
const REFUSED_SHARE = 0.2;
const SOLD_OUT_SHARE = 0.2;

type Kind = "refused" | "soldOut" | "bought";

interface PathFigures {
  perRefused: number;
  perSoldOut: number;
  allDeadLetteredMs: number;
  reasons: string[];
}

async function runPath(deadLetterRefusals: boolean): Promise<PathFigures> {
  const sut = await startSystemUnderTest({ settings: { Commands__deadLetterRefusals: String(deadLetterRefusals) } });
  const connectionString = sut.system.emulator.serviceBus.connectionString;
  const client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0 } });
  try {
    const refused = Math.round(PURCHASES * REFUSED_SHARE);
    const soldOut = Math.round(PURCHASES * SOLD_OUT_SHARE);
    const concertId = `refusals-${deadLetterRefusals ? "dlq" : "abandon"}`;
    const concert = {
      concertId,
      name: "Refusals",
      venue: "Hall",
      startsAt: FUTURE_START,
      capacity: { standard: PURCHASES - refused - soldOut, vip: 0 },
      prices: { standard: 5_000, vip: 9_000 },
    };
    const scheduled = await fetch(`${sut.url}/api/concerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(concert),
    });
    if (scheduled.status !== 202) throw new Error(`POST /api/concerts answered ${scheduled.status}`);
    await until(() => fetch(`${sut.url}/api/concerts/${concertId}`).then((r) => r.status), (s) => s === 200);

    // One in five refused, one in five sold out (REFUSED_SHARE, SOLD_OUT_SHARE), the rest bought.
    const kindOf = (i: number): Kind => (i % 5 === 0 ? "refused" : i % 5 === 1 ? "soldOut" : "bought");
    const kinds = Array.from({ length: PURCHASES }, (_, i) => kindOf(i));
    const messages = kinds.map((kind, i) => {
      const purchaseId = `${concertId}-${i}`;
      const data = {
        purchaseId,
        concertId: kind === "refused" ? "no-such-concert" : concertId,
        fan: { id: `fan-${i}`, email: `fan-${i}@example.com` },
        tier: "standard" as const,
        quantity: 1,
      };
      const ids = { id: `${purchaseId}:PlacePurchase`, correlationId: `corr-${purchaseId}` };
      return busMessage(createMessage("PlacePurchase", data, ids));
    });
    const sender = client.createSender("commands");
    const started = performance.now();
    // Sold-out ones go last, so the tickets go to the "bought" share.
    const order = [...messages.keys()].sort((a, b) => Number(kinds[a] === "soldOut") - Number(kinds[b] === "soldOut"));
    for (let i = 0; i < order.length; i += 50) {
      await sender.sendMessages(order.slice(i, i + 50).map((k) => messages[k]));
    }
    await sender.close();

    const dlq = client.createReceiver("commands", "purchases", { subQueueType: "deadLetter" });
    const peek = () => dlq.peekMessages(refused + 10, { fromSequenceNumber: Long.ZERO });
    const deadLetters = await until(peek, (m) => m.length >= refused, 120_000);
    const allDeadLetteredMs = performance.now() - started;
    await dlq.close();
    // Every command of the other kinds has reached the purchases function at least once.
    const handledOnce = (i: number) =>
      sut.invocations.some((r) => r.functionName === "purchases" && r.correlationId === `corr-${concertId}-${i}`);
    await until(async () => kinds.every((_, i) => handledOnce(i)), (ok) => ok, 60_000);

    const invocationsOf = (kind: Kind) => {
      const ids = new Set(kinds.flatMap((k, i) => (k === kind ? [`corr-${concertId}-${i}`] : [])));
      const mine = sut.invocations.filter((r) => r.functionName === "purchases" && ids.has(r.correlationId));
      return mine.length / ids.size;
    };
    return {
      perRefused: invocationsOf("refused"),
      perSoldOut: invocationsOf("soldOut"),
      allDeadLetteredMs,
      reasons: [...new Set(deadLetters.map((m) => String(m.deadLetterReason)))],
    };
  } finally {
    await client.close();
    await sut.close();
  }
}

export const refusalsSuite: BenchSuite = {
  name: suite,
  async run(): Promise<BenchRow[]> {
    const before = await runPath(false);
    const after = await runPath(true);
    const abandon = (name: string, value: number) => ({ name: `abandon path: ${name}`, value });
    return [
      {
        suite,
        name:
          `purchases invocations per refused command (ConcertNotFound, ${REFUSED_SHARE * 100}% of ${PURCHASES}); ` +
          `dead letter reason ${after.reasons.join(",")}, was ${before.reasons.join(",")}`,
        value: round1(after.perRefused),
        unit: "invocations",
        baseline: abandon("MaxDeliveryCount 5", round1(before.perRefused)),
        target: "1",
        pass: after.perRefused === 1,
      },
      {
        suite,
        name: `purchases invocations per sold-out command (${SOLD_OUT_SHARE * 100}%: placed, rejected, cancelled)`,
        value: round1(after.perSoldOut),
        unit: "invocations",
        baseline: abandon("same", round1(before.perSoldOut)),
        target: "unchanged",
        pass: after.perSoldOut === before.perSoldOut,
      },
      {
        suite,
        name: "time until every refused command is in the dead-letter queue",
        value: Math.round(after.allDeadLetteredMs),
        unit: "ms",
        baseline: abandon("after 5 deliveries each", Math.round(before.allDeadLetteredMs)),
      },
    ];
  },
};
