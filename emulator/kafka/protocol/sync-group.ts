/** SyncGroup (14) v0-3: the leader's assignments are handed to every member once it sends them. */
import { Writer } from "../codec/writer.js";
import type { ApiHandler } from "./types.js";

export const syncGroup: ApiHandler = {
  apiKey: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 3,
  async handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const generationId = body.int32();
    const memberId = body.string();
    if (v >= 3) body.nullableString(); // group_instance_id: static membership is not used by kafkajs
    const assignments = new Map(body.array((r) => [r.string(), Buffer.from(r.bytes())] as const));
    const res = await ctx.broker.groups.sync(groupId, memberId, generationId, assignments);
    const w = new Writer();
    if (v >= 1) w.int32(0);
    return w.int16(res.errorCode).bytes(res.assignment);
  },
};
