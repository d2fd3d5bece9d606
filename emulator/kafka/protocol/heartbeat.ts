/** Heartbeat (12) v0-3: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { Writer } from "../codec/writer.js";
import type { ApiHandler } from "./types.js";

export const heartbeat: ApiHandler = {
  apiKey: 12,
  name: "Heartbeat",
  minVersion: 0,
  maxVersion: 3,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const generationId = body.int32();
    const memberId = body.string();
    if (v >= 3) body.nullableString(); // group_instance_id
    const error = ctx.broker.groups.heartbeat(groupId, memberId, generationId);
    const w = new Writer();
    if (v >= 1) w.int32(0);
    return w.int16(error);
  },
};
