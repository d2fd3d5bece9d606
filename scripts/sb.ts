/**
 * `npm run sb -- COMMAND [ENTITY] [options]`: look into and tidy a running Service Bus emulator through its HTTP
 * port's explorer endpoints. Prints JSON; exits 1 with the emulator's error message when a request is refused.
 * Calls are signed with the namespace key (the emulator's well-known one unless --key says otherwise), which purge,
 * resubmit and reset require.
 */
import { parseArgs } from "node:util";
import { EMULATOR_KEY, emulatorAuthorizationHeader } from "../emulator/servicebus/sas-token.js";
import { deadLettersCommand, deadLettersUsage } from "./sb-dead-letters.js";

const usage = `Usage: npm run sb -- COMMAND [ENTITY] [options]
Commands:
  list                      queues, topics and subscriptions with message counts
  peek ENTITY               messages of a queue or subscription (ENTITY: q1, t1/Subscriptions/s1)
  purge ENTITY              delete every message (with --dlq: the dead-letter queue's)
  resubmit ENTITY           move dead letters back to ENTITY (all, or --seq 3,5)
  reset                     the namespace as its config declares it, with no messages
${deadLettersUsage}
Options:
  --dlq                     the entity's dead-letter queue (peek, purge)
  --state STATE             peek only active, deferred or scheduled messages
  --max N                   peek at most N messages (default 100)
  --seq N[,N...]            resubmit these sequence numbers only
  --url URL                 the emulator's HTTP port (default $EMULATOR_URL or http://localhost:5300)
  --key KEY                 the namespace key that purge, resubmit and reset are signed with (default
                            $EMULATOR_SAS_KEY or the emulator's well-known SAS_KEY_VALUE)
  --help                    this text`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function call(method: "GET" | "POST", url: string, key: string, body?: object): Promise<unknown> {
  let response: Response;
  // Every call is signed: the emulator requires the namespace key for purge, resubmit and reset (reads ignore it).
  const authorization = emulatorAuthorizationHeader(url, { ...EMULATOR_KEY, key });
  try {
    response = await fetch(url, {
      method,
      headers: body ? { "content-type": "application/json", ...authorization } : authorization,
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    fail(`Cannot reach the emulator at ${new URL(url).origin}: ${(err as Error).cause ?? (err as Error).message}. Is it running (npm run emulator)?`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: print as is
  }
  if (!response.ok) {
    // The explorer's own errors are { error: { message } }; the key guard's are problem+json { detail }.
    const answer = parsed as { error?: { message?: string }; detail?: string };
    const message = answer?.error?.message ?? answer?.detail ?? text;
    fail(`${response.status}: ${message}`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dlq: { type: "boolean" },
      state: { type: "string" },
      max: { type: "string" },
      seq: { type: "string" },
      url: { type: "string" },
      key: { type: "string" },
      help: { type: "boolean" },
      all: { type: "boolean" },
      connection: { type: "string" },
    },
  });
  const [command, entity, ...extra] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  if (command === "dead-letters") {
    const result = await deadLettersCommand({ args: positionals.slice(1), max: values.max, all: values.all, connection: values.connection }).catch((err: unknown) => fail((err as Error).message));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`, () => process.exit(0));
    return;
  }
  if (extra.length > 0) fail(`Unexpected arguments: ${extra.join(" ")}\n${usage}`);
  const base = `${(values.url ?? process.env.EMULATOR_URL ?? "http://localhost:5300").replace(/\/+$/, "")}/emulator/servicebus`;
  const key = values.key ?? process.env.EMULATOR_SAS_KEY ?? EMULATOR_KEY.key;
  const needEntity = () => {
    if (!entity) fail(`'${command}' needs an ENTITY such as q1 or t1/Subscriptions/s1.\n${usage}`);
    return `${base}/entities/${entity.split("/").map(encodeURIComponent).join("/")}${values.dlq ? "/deadletters" : ""}`;
  };
  let result: unknown;
  switch (command) {
    case "list":
      result = await call("GET", `${base}/entities`, key);
      break;
    case "peek": {
      const url = new URL(`${needEntity()}${values.dlq ? "" : "/messages"}`);
      if (values.state) url.searchParams.set("state", values.state);
      if (values.max) url.searchParams.set("max", values.max);
      result = await call("GET", url.toString(), key);
      break;
    }
    case "purge":
      result = await call("POST", `${needEntity()}/purge`, key);
      break;
    case "resubmit": {
      if (values.dlq) fail("resubmit always takes the dead-letter queue's messages: leave out --dlq.");
      let sequenceNumbers: number[] | undefined;
      if (values.seq !== undefined) {
        sequenceNumbers = values.seq.split(",").map((s) => Number(s.trim()));
        if (sequenceNumbers.some((n) => !Number.isSafeInteger(n) || n < 0)) fail(`--seq must be sequence numbers separated by commas, got '${values.seq}'.`);
      }
      result = await call("POST", `${needEntity()}/resubmit`, key, sequenceNumbers ? { sequenceNumbers } : {});
      break;
    }
    case "reset":
      result = await call("POST", `${base}/reset`, key);
      break;
    default:
      fail(`Unknown command '${command}'.\n${usage}`);
  }
  // Exit at once: fetch keeps its connection alive, which would hold the process for the server's keep-alive time.
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`, () => process.exit(0));
}

main().catch((err: unknown) => fail((err as Error)?.stack ?? String(err)));
