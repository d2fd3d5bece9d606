/** ListGroups (16) v0-2: every Kafka consumer group of the namespace. */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const listGroups: ApiHandler = {
  apiKey: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 2,
  handle(_body, ctx) {
    const w = new Writer();
    if (ctx.apiVersion >= 1) w.int32(0);
    return w.int16(ErrorCode.NONE).array(ctx.broker.groups.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  },
};
