/**
 * The ids a client sends (in a path, or in a body as a reference to a stream) become Table Storage keys: stream
 * partitions such as `fan-<id>`. The Table service refuses / \ # ? and control characters in PartitionKey and RowKey
 * (learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model, "Characters disallowed
 * in key fields") with a 400 the store would read as a failure of its own, so the API refuses such an id itself,
 * at once, naming it: an id that cannot exist is the client's mistake, not an outage to retry.
 */
import { z } from "zod";
import type { ApiResponse } from "./api-response.js";
import { validationProblem } from "./problem.js";

/** The longest id the API takes (the message catalog's ids are at most 128 characters). */
export const MAX_ID_LENGTH = 128;

// eslint-disable-next-line no-control-regex -- control characters are exactly what the keys refuse
const STORABLE = /^[^/\\#?\u0000-\u001f\u007f-\u009f]*$/;
const STORABLE_DETAIL = "must not contain / \\ # ? or control characters";

/** An id field of a request body: 1 to `max` characters the event store can key a stream by. */
export function resourceId(max = MAX_ID_LENGTH) {
  return z.string().min(1).max(max).regex(STORABLE, STORABLE_DETAIL);
}

/** Why a path parameter cannot name a resource, or undefined when it can. */
export function idProblem(value: string, max = MAX_ID_LENGTH): string | undefined {
  if (value.length === 0) return "is required";
  if (value.length > max) return `must be at most ${max} characters long`;
  if (!STORABLE.test(value)) return STORABLE_DETAIL;
  return undefined;
}

/** 400 naming the path parameter `name` when its value cannot be an id; undefined when it can. */
export function pathIdProblem(name: string, value: string, instance: string): ApiResponse | undefined {
  const detail = idProblem(value);
  // A path parameter has no place in the body: its pointer is empty, as for a header.
  return detail === undefined ? undefined : validationProblem([{ name, pointer: "", detail }], instance);
}
