/**
 * The Table Storage endpoint of the emulator: what @azure/data-tables (and other Table clients) use unchanged with a
 * development connection string. With a data directory it is durable on acknowledgement, as Azure is: a write is
 * answered only once its changes are synced to the write-ahead log, so a kill -9 loses nothing that was acknowledged
 * (Azurite, by contrast, keeps tables in memory and saves them every few seconds). Requests are not authenticated:
 * any account key is accepted, the development account's included.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../common/clock.js";
import type { Logger } from "../common/logger.js";
import { TableError } from "./errors.js";
import { batch, errorResponse, route, statusText, type TableRequest, type TableResponse } from "./routes.js";
import { TableJournal } from "./table-journal.js";
import { TableModel } from "./table-model.js";

/** The development account Azurite and the Azure tools use, and its published key. */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/** Azure's limit for a batch request; single entities are at most 1 MiB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface TableServiceOptions {
  port: number;
  host?: string;
  clock: Clock;
  logger: Logger;
  /** Keep tables under this directory, durable on acknowledgement; in memory when absent. */
  dataDir?: string;
}

export interface TableService {
  readonly port: number;
  /** http://host:port/devstoreaccount1 */
  readonly endpoint: string;
  readonly connectionString: string;
  readonly model: TableModel;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startTableService(options: TableServiceOptions): Promise<TableService> {
  const { logger } = options;
  const model = new TableModel(() => options.clock.now());
  const journal = options.dataDir ? TableJournal.open(options.dataDir, model, logger) : undefined;

  const answer = (res: http.ServerResponse, response: TableResponse, requestId: string) => {
    const body = response.body === undefined ? undefined : Buffer.from(response.body, "utf8");
    res.writeHead(response.status, statusText(response.status), {
      ...response.headers,
      "x-ms-request-id": requestId,
      "x-ms-version": "2019-02-02",
      Date: new Date().toUTCString(),
      "Content-Length": String(body?.length ?? 0),
    });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const requestId = crypto.randomUUID();
    void (async () => {
      let response: TableResponse;
      try {
        const body = await readBody(req);
        if (body === undefined) {
          res.setHeader("Connection", "close");
          return answer(res, errorResponse(TableError.requestBodyTooLarge()), requestId);
        }
        const headers = req.headers as Record<string, string | undefined>;
        const request: TableRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers, body };
        const isBatch = request.method === "POST" && request.url.split("?")[0].endsWith("/$batch");
        response = isBatch ? batch(model, request) : route(model, request);
        // Applied in memory at once (later requests see it), answered only once it is on disk. Reads wait for the
        // disk too, so nobody acts on a change a crash could still take back.
        for (const change of response.changes) model.apply(change);
        journal?.record(response.changes);
        if (journal) {
          try {
            await journal.durable();
          } catch (err) {
            logger.error("table log write failed: refusing to acknowledge", { err: String(err) });
            response = errorResponse(TableError.storageUnavailable());
          }
        }
      } catch (err) {
        if (!(err instanceof TableError)) {
          logger.error("table request failed", { err: String(err), method: req.method, url: req.url });
          const message = "The server encountered an internal error. Please retry the request.";
          response = errorResponse(new TableError(500, "InternalError", message));
        } else response = errorResponse(err);
      }
      if (!res.headersSent) answer(res, response, requestId);
    })();
  });
  // Idle keep-alive connections must not hold close() up.
  server.keepAliveTimeout = 5000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject).listen(options.port, options.host ?? "127.0.0.1", resolve);
    });
  } catch (err) {
    // The port is taken (or not ours): let go of the log file too.
    journal?.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : (options.host ?? "127.0.0.1");
  const endpoint = `http://${host}:${port}/${DEV_ACCOUNT}`;
  logger.info("table endpoint listening", { endpoint, durable: Boolean(journal) });
  return {
    port,
    endpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};` +
      `TableEndpoint=${endpoint};`,
    model,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      journal?.close();
    },
  };
}
