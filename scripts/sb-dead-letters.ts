/**
 * `npm run sb -- dead-letters list|show|resubmit ENTITY ...`: the dead letters of a queue or subscription through
 * the Service Bus SDK (src/dead-letters/, the module the operations endpoints use), so it works against the emulator
 * and against Azure alike. The connection: --connection, else $ServiceBusConnection, else the local emulator.
 */
import { ServiceBusClient } from "@azure/service-bus";
import { parseEntity } from "../src/dead-letters/dead-letter-entity.js";
import { DeadLetters } from "../src/dead-letters/dead-letters.js";

export const deadLettersUsage = `  dead-letters list ENTITY [--max N]        dead letters with reason, description, delivery count, body
  dead-letters show ENTITY SEQ              one dead letter by sequence number
  dead-letters resubmit ENTITY SEQ|--all    send back to ENTITY (a subscription: its topic) and remove from the DLQ
    ENTITY: a queue, or topic/subscriptions/subscription; --connection CS (default $ServiceBusConnection, else the
    local emulator on localhost:5672)`;

const LOCAL_EMULATOR = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

export interface DeadLettersArgs {
  args: string[];
  max?: string;
  all?: boolean;
  connection?: string;
}

function sequenceNumber(text: string | undefined): number {
  const n = Number(text);
  if (!text || !/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new Error(`Expected a sequence number, got '${text ?? ""}'.`);
  return n;
}

export async function deadLettersCommand({ args, max, all, connection }: DeadLettersArgs): Promise<unknown> {
  const [sub, entityText, seq, ...extra] = args;
  if (!sub || !entityText) throw new Error(`dead-letters needs a subcommand and an ENTITY.\n${deadLettersUsage}`);
  if (extra.length > 0) throw new Error(`Unexpected arguments: ${extra.join(" ")}`);
  const entity = parseEntity(entityText);
  const client = new ServiceBusClient(connection ?? process.env.ServiceBusConnection ?? LOCAL_EMULATOR, { retryOptions: { maxRetries: 1, timeoutInMs: 15_000 } });
  const deadLetters = new DeadLetters(client);
  try {
    switch (sub) {
      case "list": {
        const limit = max === undefined ? 100 : Number(max);
        if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`--max must be a positive integer, got '${max}'.`);
        return await deadLetters.list(entity, { max: limit });
      }
      case "show":
        return await deadLetters.get(entity, sequenceNumber(seq));
      case "resubmit":
        if (all && seq !== undefined) throw new Error("Give a sequence number or --all, not both.");
        return all ? await deadLetters.resubmitAll(entity) : await deadLetters.resubmit(entity, sequenceNumber(seq));
      default:
        throw new Error(`Unknown dead-letters subcommand '${sub}'.\n${deadLettersUsage}`);
    }
  } finally {
    await client.close();
  }
}
