/**
 * The Table REST operations @azure/data-tables sends, decoded from method, path, query and headers into planned model
 * changes plus the answer Azure gives (https://learn.microsoft.com/rest/api/storageservices/table-service-rest-api):
 * create / delete / list tables, insert, update (replace), merge, upsert, delete and get entities, query with
 * $filter, $select, $top and continuation, and entity-group transactions. Planning changes nothing, so a transaction
 * plans every operation first and applies them only if all succeed. Responses use minimal-metadata JSON.
 */
import { randomUUID } from "node:crypto";
import { formatBatchResponse, parseBatch, type SubResponse } from "./batch-multipart.js";
import { entityJson, parseEntityBody, validKey } from "./entity.js";
import { TableError } from "./errors.js";
import { parseFilter } from "./odata-filter.js";
import { type Change, MAX_PAGE, type TableModel } from "./table-model.js";

export interface TableRequest {
  method: string;
  /** Path and query, as on the request line (absolute URLs, as in batch parts, are accepted too). */
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface TableResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  changes: Change[];
}

const JSON_TYPE = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  503: "Server Unavailable",
};
const MAX_BATCH_OPERATIONS = 100;
const NO_CONTENT_APPLIED = { "Preference-Applied": "return-no-content" };
const SUB_RESPONSE_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
  DataServiceVersion: "3.0;",
};
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "Error";
}

export function errorResponse(err: TableError): TableResponse {
  const value = `${err.message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}`;
  return {
    status: err.status,
    headers: { "Content-Type": JSON_TYPE, "x-ms-error-code": err.code },
    body: JSON.stringify({ "odata.error": { code: err.code, message: { lang: "en-US", value } } }),
    changes: [],
  };
}

interface Target {
  account: string;
  base: string;
  resource: string;
  query: URLSearchParams;
}

function target(req: TableRequest): Target {
  const url = new URL(req.url, `http://${req.headers.host ?? "localhost"}`);
  const path = url.pathname;
  const slash = path.indexOf("/", 1);
  const account = slash < 0 ? path.slice(1) : path.slice(1, slash);
  let resource = slash < 0 ? "" : path.slice(slash + 1);
  try {
    resource = decodeURIComponent(resource);
  } catch {
    throw TableError.unsupportedRequest("The path is not valid percent-encoding.");
  }
  return { account, base: `${url.protocol}//${url.host}/${account}`, resource, query: url.searchParams };
}

const ENTITY_PATH = /^([A-Za-z0-9]+)\(PartitionKey='((?:[^']|'')*)',\s*RowKey='((?:[^']|'')*)'\)$/;
const TABLE_PATH = /^Tables\('((?:[^']|'')*)'\)$/;

function unquote(text: string): string {
  return text.replace(/''/g, "'");
}

function jsonBody(req: TableRequest): unknown {
  try {
    return JSON.parse(req.body);
  } catch {
    throw TableError.invalidInput("The request body is not valid JSON.");
  }
}

function noContentWanted(req: TableRequest): boolean {
  return /return-no-content/i.test(req.headers.prefer ?? "");
}

function ifMatch(req: TableRequest): string | undefined {
  const value = req.headers["if-match"];
  return value === undefined || value === "" ? undefined : value;
}

/** Plans one request. Throws TableError for refusals. */
export function route(model: TableModel, req: TableRequest): TableResponse {
  const { base, resource, query } = target(req);
  const method = req.method.toUpperCase();
  if (resource === "Tables") {
    if (method === "POST") return createTable(model, req, base);
    if (method === "GET") return listTables(model, base);
    throw TableError.methodNotAllowed(method);
  }
  const tablePath = TABLE_PATH.exec(resource);
  if (tablePath) {
    if (method !== "DELETE") throw TableError.methodNotAllowed(method);
    return { status: 204, headers: {}, changes: [model.planDeleteTable(unquote(tablePath[1]))] };
  }
  const entityPath = ENTITY_PATH.exec(resource);
  if (entityPath) {
    const [, table, pk, rk] = entityPath;
    return entityOperation(model, req, method, base, table, unquote(pk), unquote(rk), query);
  }
  const tableName = /^([A-Za-z0-9]+)(\(\))?$/.exec(resource)?.[1];
  if (tableName) {
    if (method === "GET") return queryEntities(model, base, tableName, query);
    if (method === "POST") return insertEntity(model, req, base, tableName);
    throw TableError.methodNotAllowed(method);
  }
  throw TableError.unsupportedRequest(`Unknown resource ${JSON.stringify(resource.slice(0, 200))}.`);
}

function createTable(model: TableModel, req: TableRequest, base: string): TableResponse {
  const body = jsonBody(req) as { TableName?: unknown } | null;
  if (typeof body?.TableName !== "string") throw TableError.invalidInput("TableName is required.");
  const change = model.planCreateTable(body.TableName);
  if (noContentWanted(req)) return { status: 204, headers: NO_CONTENT_APPLIED, changes: [change] };
  const json = { "odata.metadata": `${base}/$metadata#Tables/@Element`, TableName: body.TableName };
  return { status: 201, headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(json), changes: [change] };
}

function listTables(model: TableModel, base: string): TableResponse {
  const value = model.tableNames().map((TableName) => ({ TableName }));
  const body = JSON.stringify({ "odata.metadata": `${base}/$metadata#Tables`, value });
  return { status: 200, headers: { "Content-Type": JSON_TYPE }, body, changes: [] };
}

function select(query: URLSearchParams): string[] | undefined {
  const text = query.get("$select");
  return text ? text.split(",").map((s) => s.trim()).filter((s) => s.length > 0) : undefined;
}

function entityOperation(
  model: TableModel,
  req: TableRequest,
  method: string,
  base: string,
  table: string,
  pk: string,
  rk: string,
  query: URLSearchParams,
): TableResponse {
  switch (method) {
    case "GET": {
      const entity = model.get(table, pk, rk);
      const json = { "odata.metadata": `${base}/$metadata#${table}/@Element`, ...entityJson(entity, select(query)) };
      const headers = { "Content-Type": JSON_TYPE, ETag: entity.etag };
      return { status: 200, headers, body: JSON.stringify(json), changes: [] };
    }
    case "PUT":
    case "PATCH":
    case "MERGE": {
      validKey(pk, "PartitionKey");
      validKey(rk, "RowKey");
      const { partitionKey, rowKey, properties } = parseEntityBody(jsonBody(req));
      if ((partitionKey !== undefined && partitionKey !== pk) || (rowKey !== undefined && rowKey !== rk)) {
        throw TableError.invalidInput("The keys in the body differ from the keys in the URL.");
      }
      const change = model.planUpdate(table, pk, rk, properties, method === "PUT" ? "replace" : "merge", ifMatch(req));
      return { status: 204, headers: { ETag: change.entity.etag }, changes: [change] };
    }
    case "DELETE":
      return { status: 204, headers: {}, changes: [model.planDelete(table, pk, rk, ifMatch(req))] };
    default:
      throw TableError.methodNotAllowed(method);
  }
}

function insertEntity(model: TableModel, req: TableRequest, base: string, table: string): TableResponse {
  const { partitionKey, rowKey, properties } = parseEntityBody(jsonBody(req));
  const pk = validKey(partitionKey, "PartitionKey");
  const rk = validKey(rowKey, "RowKey");
  const change = model.planInsert(table, pk, rk, properties);
  const quoted = (key: string) => encodeURIComponent(key.replace(/'/g, "''"));
  const location = `${base}/${table}(PartitionKey='${quoted(pk)}',RowKey='${quoted(rk)}')`;
  const headers: Record<string, string> = { ETag: change.entity.etag, Location: location, DataServiceId: location };
  if (noContentWanted(req)) return { status: 204, headers: { ...headers, ...NO_CONTENT_APPLIED }, changes: [change] };
  const json = { "odata.metadata": `${base}/$metadata#${table}/@Element`, ...entityJson(change.entity) };
  headers["Content-Type"] = JSON_TYPE;
  return { status: 201, headers, body: JSON.stringify(json), changes: [change] };
}

function continuationKey(query: URLSearchParams, name: string): string | undefined {
  const token = query.get(name);
  if (token === null || token === "") return undefined;
  if (!/^[A-Za-z0-9_-]*$/.test(token)) {
    throw TableError.invalidInput(`${name} is not a continuation token this endpoint gave.`);
  }
  return Buffer.from(token, "base64url").toString("utf8");
}

function queryEntities(model: TableModel, base: string, table: string, query: URLSearchParams): TableResponse {
  const topText = query.get("$top");
  let top = MAX_PAGE;
  if (topText !== null) {
    top = Number(topText);
    if (!/^\d+$/.test(topText) || top < 1 || top > MAX_PAGE) {
      throw TableError.invalidInput(`$top must be an integer from 1 to ${MAX_PAGE}.`);
    }
  }
  const filterText = query.get("$filter");
  const filter = filterText ? parseFilter(filterText) : undefined;
  const nextPk = continuationKey(query, "NextPartitionKey");
  const nextRk = continuationKey(query, "NextRowKey");
  const from = nextPk === undefined ? undefined : { partitionKey: nextPk, rowKey: nextRk ?? "" };
  const page = model.query(table, filter, top, from);
  const fields = select(query);
  // A page also ends at about 8 MiB of JSON (Azure may end a page early too), so memory per query stays bounded.
  const value: string[] = [];
  let bytes = 0;
  for (const entity of page.entities) {
    if (bytes > MAX_PAGE_BYTES) {
      page.next = { partitionKey: entity.partitionKey, rowKey: entity.rowKey };
      break;
    }
    const json = JSON.stringify(entityJson(entity, fields));
    bytes += json.length;
    value.push(json);
  }
  const body = `{"odata.metadata":${JSON.stringify(`${base}/$metadata#${table}`)},"value":[${value.join(",")}]}`;
  const headers: Record<string, string> = { "Content-Type": JSON_TYPE };
  if (page.next) {
    headers["x-ms-continuation-NextPartitionKey"] = Buffer.from(page.next.partitionKey, "utf8").toString("base64url");
    headers["x-ms-continuation-NextRowKey"] = Buffer.from(page.next.rowKey, "utf8").toString("base64url");
  }
  return { status: 200, headers, body, changes: [] };
}

/** An entity-group transaction: every operation planned, then all changes or none, answered as Azure does. */
export function batch(model: TableModel, req: TableRequest): TableResponse {
  const requests = parseBatch(req.headers["content-type"], req.body);
  const id = randomUUID();
  const answers: SubResponse[] = [];
  const changes: Change[] = [];
  const rows = new Set<string>();
  let partition: string | undefined;
  let failed: SubResponse | undefined;
  for (const [index, sub] of requests.entries()) {
    try {
      if (index >= MAX_BATCH_OPERATIONS) throw TableError.batchTooLarge();
      if (sub.method === "GET") throw TableError.invalidInput("A changeset cannot hold a query.");
      const answer = route(model, { ...sub, headers: { host: req.headers.host, ...sub.headers } });
      for (const change of answer.changes) {
        if (change.t !== "put" && change.t !== "delete") {
          throw TableError.invalidInput("A batch holds entity operations only.");
        }
        const pk = change.t === "put" ? change.entity.partitionKey : change.partitionKey;
        const rk = change.t === "put" ? change.entity.rowKey : change.rowKey;
        if (partition !== undefined && pk !== partition) throw TableError.batchPartitionMismatch();
        partition = pk;
        if (rows.has(rk)) throw TableError.batchDuplicateRow(rk);
        rows.add(rk);
        changes.push(change);
      }
      const headers = { ...SUB_RESPONSE_HEADERS, ...answer.headers };
      answers.push({ status: answer.status, statusText: statusText(answer.status), headers, body: answer.body });
    } catch (err) {
      if (!(err instanceof TableError)) throw err;
      const refusal = errorResponse(err.at(index));
      // The SDK reads a sub-response's error from one line of JSON.
      const { status, headers, body } = refusal;
      failed = { status, statusText: statusText(status), headers, body };
      break;
    }
  }
  const envelope = formatBatchResponse(failed ? [failed] : answers, id);
  const headers = { "Content-Type": envelope.contentType };
  return { status: 202, headers, body: envelope.body, changes: failed ? [] : changes };
}
