/**
 * Problem Details for HTTP APIs (RFC 9457), `application/problem+json`. Validation problems list every invalid
 * field in `errors`, each with its dotted `name`, a JSON Pointer to it and what is wrong with it.
 */
export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

export interface FieldError {
  /** Dotted path of the field, e.g. "fan.email" ("" for the body itself). */
  name: string;
  /** JSON Pointer (RFC 6901) to the field in the request body, as a URI fragment: "#/fan/email". */
  pointer: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const VALIDATION_PROBLEM_TYPE = "https://musicfest.example/problems/validation-error";

export function problem(status: number, fields: Partial<Problem> = {}): ProblemResponse {
  const body: Problem = { type: "about:blank", title: TITLES[status] ?? "Error", status, ...fields };
  return { status, headers: { "content-type": PROBLEM_CONTENT_TYPE }, body: JSON.stringify(body) };
}

export function validationProblem(errors: FieldError[], instance?: string): ProblemResponse {
  return problem(400, {
    type: VALIDATION_PROBLEM_TYPE,
    title: "The request is not valid.",
    detail: errors.length === 1 ? `${errors[0].name || "The body"}: ${errors[0].detail}` : `${errors.length} fields are not valid: ${errors.map((e) => e.name || "(body)").join(", ")}.`,
    ...(instance ? { instance } : {}),
    errors,
  });
}

export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

export function jsonPointer(path: readonly PropertyKey[]): string {
  return "#" + path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}
