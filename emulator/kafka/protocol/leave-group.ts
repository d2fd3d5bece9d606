/** LeaveGroup (13) v0-3: v3 removes a list of members, each with its own error code. */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const leaveGroup: ApiHandler = {
  apiKey: 13,
  name: "LeaveGroup",
  minVersion: 0,
  maxVersion: 3,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const w = new Writer();
    if (v >= 1) w.int32(0);
    if (v < 3) return w.int16(ctx.broker.groups.leave(groupId, body.string()));
    const members = body.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }));
    w.int16(ErrorCode.NONE);
    return w.array(members, (w, m) => {
      w.string(m.memberId).nullableString(m.groupInstanceId).int16(ctx.broker.groups.leave(groupId, m.memberId));
    });
  },
};
