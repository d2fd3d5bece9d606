/**
 * Shared pieces of the Event Grid tests: an Event Grid service on a free port with its own clock, and a real local
 * webhook that records what Event Grid posts and answers the handshakes the way Azure's docs ask endpoints to.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EmulatorClock } from "../../../emulator/common/clock.js";
import { EmulatorHttpServer } from "../../../emulator/common/http-server.js";
import { createLogger } from "../../../emulator/common/logger.js";
import { mutationGuard } from "../../../emulator/servicebus/admin/mutation-guard.js";
import { EMULATOR_KEY } from "../../../emulator/servicebus/sas-token.js";
import { type EventGridService, parseEventGridConfig, type ServiceBusEnqueuer, startEventGrid } from "../../../emulator/eventgrid/index.js";

export interface TestEventGrid {
  eventGrid: EventGridService;
  clock: EmulatorClock;
  baseUrl: string;
  endpoint(topic: string): string;
  key(topic: string): string;
  close(): Promise<void>;
}

export interface TestEventGridOptions {
  serviceBus?: ServiceBusEnqueuer;
  dataDir?: string;
  deadLetterDir?: string;
  /** Collects the service's log lines (debug and up) instead of discarding them. */
  logLines?: string[];
}

export async function startTestEventGrid(config: object, options: TestEventGridOptions = {}): Promise<TestEventGrid> {
  const { logLines, ...extra } = options;
  const clock = new EmulatorClock();
  const server = new EmulatorHttpServer();
  server.guardMutations(mutationGuard({ credentials: EMULATOR_KEY, namespaceName: "eventgrid" }));
  const logger = logLines ? createLogger("debug", "eventgrid", (line) => logLines.push(line)) : createLogger("silent");
  const eventGrid = startEventGrid({ config: parseEventGridConfig(config), http: server, clock, logger, ...extra });
  const port = await server.listen(0, "127.0.0.1");
  const baseUrl = `http://127.0.0.1:${port}`;
  eventGrid.setBaseUrl(baseUrl);
  const topic = (name: string) => eventGrid.topics.find((t) => t.name === name)!;
  return {
    eventGrid,
    clock,
    baseUrl,
    endpoint: (name) => topic(name).endpoint,
    key: (name) => topic(name).key,
    async close() {
      await eventGrid.close();
      await server.close();
      clock.dispose();
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** How to answer a notification; `hang` never answers (to test timeouts). */
export type Responder = (req: ReceivedRequest) => { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true } | undefined;

/** grant: pass the handshakes; manual: answer the validation with 200 and no code; refuse: answer 403 / no origin. */
export type HandshakeMode = "grant" | "manual" | "refuse";

export interface TestWebhook {
  url: string;
  /** Every request, handshakes included. */
  requests: ReceivedRequest[];
  /** Notification POSTs only. */
  notifications(): ReceivedRequest[];
  /** Resolves when at least `count` notifications have arrived. */
  waitForNotifications(count: number): Promise<ReceivedRequest[]>;
  /** Sets how notifications are answered (default 200). */
  respondWith(responder: Responder): void;
  handshake: HandshakeMode;
  close(): Promise<void>;
}

/** A webhook that passes both handshakes (echoes the validation code, grants the CloudEvents origin). */
export function startWebhook(path = "/api/events"): Promise<TestWebhook> {
  return startWebhookOn(0, path);
}

/** The same on a given port (0: a free one), e.g. to bring an endpoint up where a subscription already points. */
export async function startWebhookOn(port: number, path = "/api/events"): Promise<TestWebhook> {
  const requests: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: (r: ReceivedRequest[]) => void }[] = [];
  let responder: Responder = () => undefined;
  const state = { handshake: "grant" as HandshakeMode };
  const notifications = () => requests.filter((r) => r.method === "POST" && r.headers["aeg-event-type"] === "Notification");
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const r: ReceivedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, text, json };
      requests.push(r);
      if (r.method === "OPTIONS") {
        if (state.handshake === "refuse") res.writeHead(200);
        else res.writeHead(200, { "webhook-allowed-origin": String(req.headers["webhook-request-origin"] ?? "*"), allow: "POST" });
        return res.end();
      }
      if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
        if (state.handshake === "refuse") res.writeHead(403);
        else if (state.handshake === "manual") res.writeHead(200);
        else {
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify({ validationResponse: (json as any)[0].data.validationCode }));
        }
        return res.end();
      }
      const answer = responder(r) ?? { status: 200 };
      if ("hang" in answer) hanging.push(res);
      else {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      }
      const n = notifications();
      for (const w of [...waiters]) {
        if (n.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(n);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    requests,
    notifications,
    waitForNotifications(count) {
      const n = notifications();
      if (n.length >= count) return Promise.resolve(n);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    respondWith(r) {
      responder = r;
    },
    get handshake() {
      return state.handshake;
    },
    set handshake(mode: HandshakeMode) {
      state.handshake = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function webhookSubscription(name: string, url: string, properties: Record<string, unknown> = {}): object {
  const { destinationProperties, ...rest } = properties as { destinationProperties?: object };
  return { name, properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: url, ...(destinationProperties ?? {}) } }, ...rest } };
}
