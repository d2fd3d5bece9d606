/** JoinGroup (11) v0-5: parks until the rebalance completes; v4+ answers an empty member id with MEMBER_ID_REQUIRED. */
import { Writer } from "../codec/writer.js";
import type { ApiHandler } from "./types.js";

export const joinGroup: ApiHandler = {
  apiKey: 11,
  name: "JoinGroup",
  minVersion: 0,
  maxVersion: 5,
  async handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const sessionTimeoutMs = body.int32();
    const rebalanceTimeoutMs = v >= 1 ? body.int32() : sessionTimeoutMs;
    const memberId = body.string();
    const groupInstanceId = v >= 5 ? body.nullableString() : null;
    const protocolType = body.string();
    // Copied: the metadata outlives this request's buffer.
    const protocols = body.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));

    const res = await ctx.broker.groups.join(groupId, {
      memberId,
      groupInstanceId,
      clientId: ctx.clientId,
      clientHost: ctx.conn.clientHost,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
      requireKnownMemberId: v >= 4,
    });
    const w = new Writer();
    if (v >= 2) w.int32(0);
    w.int16(res.errorCode).int32(res.generationId).string(res.protocolName).string(res.leaderId).string(res.memberId);
    w.array(res.members, (w, m) => {
      w.string(m.memberId);
      if (v >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
    return w;
  },
};
