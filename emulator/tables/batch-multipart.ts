/**
 * The multipart/mixed envelope of entity-group transactions (POST /$batch): a batch part holding one changeset whose
 * parts are HTTP requests, and the matching response envelope of HTTP responses
 * (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions). Only the framing is
 * here; what each request does is the routes' business.
 */
import { TableError } from "./errors.js";

export interface SubRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SubResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body?: string;
}

const CRLF = "\r\n";

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(contentType ?? "")?.[2];
}

/** Splits a multipart body into its parts (what lies between the delimiters, the closing one excluded). */
function parts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  const out: string[] = [];
  for (const piece of pieces.slice(1)) {
    if (piece.startsWith("--")) break;
    out.push(piece.replace(/^\r?\n/, ""));
  }
  return out;
}

/** Header block and the rest, split at the first empty line. */
function splitHeaders(text: string): { headers: Record<string, string>; rest: string; firstLine?: string } {
  const match = /\r?\n\r?\n/.exec(text);
  const head = match ? text.slice(0, match.index) : text;
  const rest = match ? text.slice(match.index + match[0].length) : "";
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest };
}

export function parseBatch(contentType: string | undefined, body: string): SubRequest[] {
  const batchBoundary = boundaryOf(contentType);
  if (!batchBoundary) {
    throw TableError.invalidInput("A batch request needs a multipart/mixed Content-Type with a boundary.");
  }
  const requests: SubRequest[] = [];
  const batchParts = parts(body, batchBoundary);
  // Azure takes a single changeset per batch (and queries alone, outside any batch with changes).
  if (batchParts.length > 1) throw TableError.invalidInput("A batch holds a single changeset.");
  for (const batchPart of batchParts) {
    const { headers, rest } = splitHeaders(batchPart);
    const changesetBoundary = boundaryOf(headers["content-type"]);
    if (!changesetBoundary) {
      throw TableError.invalidInput("Only changesets are supported in a batch (queries go outside $batch).");
    }
    for (const part of parts(rest, changesetBoundary)) requests.push(parseHttpPart(part));
  }
  if (requests.length === 0) throw TableError.invalidInput("The batch holds no operation.");
  return requests;
}

function parseHttpPart(part: string): SubRequest {
  const { rest } = splitHeaders(part);
  const lineEnd = rest.search(/\r?\n/);
  const requestLine = lineEnd < 0 ? rest : rest.slice(0, lineEnd);
  const m = /^([A-Z]+) (\S+) HTTP\/1\.1$/.exec(requestLine.trim());
  if (!m) {
    const line = JSON.stringify(requestLine.slice(0, 200));
    throw TableError.invalidInput(`A batch operation does not start with an HTTP request line: ${line}.`);
  }
  const { headers, rest: body } = splitHeaders(lineEnd < 0 ? "" : rest.slice(lineEnd).replace(/^\r?\n/, ""));
  return { method: m[1], url: m[2], headers, body: body.replace(/\r?\n$/, "") };
}

export function formatBatchResponse(responses: SubResponse[], id: string): { contentType: string; body: string } {
  const batch = `batchresponse_${id}`;
  const changeset = `changesetresponse_${id}`;
  const lines: string[] = [`--${batch}`, `Content-Type: multipart/mixed; boundary=${changeset}`, ""];
  for (const r of responses) {
    lines.push(`--${changeset}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "");
    lines.push(`HTTP/1.1 ${r.status} ${r.statusText}`);
    for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
    lines.push("", r.body ?? "");
  }
  lines.push(`--${changeset}--`, `--${batch}--`, "");
  return { contentType: `multipart/mixed; boundary=${batch}`, body: lines.join(CRLF) };
}
