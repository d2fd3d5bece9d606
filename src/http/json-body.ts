/**
 * Reads and validates a JSON request body: a size limit (413), a JSON media type (415), well-formed JSON and the
 * zod schema (400, naming each invalid field, unknown ones included). Works on anything with WHATWG-style headers
 * and arrayBuffer(), such as the Functions HttpRequest.
 */
import { z } from "zod";
import { fieldErrors } from "./field-errors.js";
import { problem, type ProblemResponse, validationProblem } from "./problem.js";

export interface JsonRequest {
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type BodyResult<T> = { ok: true; value: T } | { ok: false; problem: ProblemResponse };

export async function readJsonBody<S extends z.ZodType>(request: JsonRequest, schema: S, options: { maxBytes: number; instance?: string }): Promise<BodyResult<z.output<S>>> {
  const instance = options.instance;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > options.maxBytes) return { ok: false, problem: problem(413, { detail: `The body is ${declared} bytes; the limit is ${options.maxBytes}.`, instance }) };
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    return { ok: false, problem: problem(415, { detail: `Send the body as application/json (got ${type ? `"${type}"` : "no content type"}).`, instance }) };
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > options.maxBytes) return { ok: false, problem: problem(413, { detail: `The body is ${bytes.length} bytes; the limit is ${options.maxBytes}.`, instance }) };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    return { ok: false, problem: validationProblem([{ name: "", pointer: "#", detail: `is not valid JSON (${(err as Error).message})` }], instance) };
  }
  // reportInput: the issues carry the value sent, so "1.5" is told apart from a missing field.
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) return { ok: false, problem: validationProblem(fieldErrors(parsed.error), instance) };
  return { ok: true, value: parsed.data };
}
