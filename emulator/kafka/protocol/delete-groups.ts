/** DeleteGroups (42) v0-1: only an empty group can be deleted; its committed offsets go with it. */
import { Writer } from "../codec/writer.js";
import type { ApiHandler } from "./types.js";

export const deleteGroups: ApiHandler = {
  apiKey: 42,
  name: "DeleteGroups",
  minVersion: 0,
  maxVersion: 1,
  handle(body, ctx) {
    const ids = body.array((r) => r.string());
    return new Writer().int32(0).array(ids, (w, id) => w.string(id).int16(ctx.broker.groups.delete(id)));
  },
};
