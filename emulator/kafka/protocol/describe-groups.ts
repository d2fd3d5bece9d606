/** DescribeGroups (15) v0-2: state, protocol and members; an unknown group is "Dead", as Kafka reports it. */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const describeGroups: ApiHandler = {
  apiKey: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 2,
  handle(body, ctx) {
    const ids = body.array((r) => r.string());
    const w = new Writer();
    if (ctx.apiVersion >= 1) w.int32(0);
    return w.array(ids, (w, id) => {
      const valid = ctx.broker.groups.validGroupId(id);
      const d = ctx.broker.groups.describe(id);
      w.int16(valid ? ErrorCode.NONE : ErrorCode.INVALID_GROUP_ID).string(id).string(d.state).string(d.protocolType).string(d.protocolName);
      w.array(d.members, (w, m) => w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment));
    });
  },
};
