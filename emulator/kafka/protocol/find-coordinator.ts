/** FindCoordinator (10) v0-2: this broker coordinates every group; there is no transaction coordinator. */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const findCoordinator: ApiHandler = {
  apiKey: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 2,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const key = body.string();
    const keyType = v >= 1 ? body.int8() : 0;
    let error: number = ErrorCode.NONE;
    let message: string | null = null;
    if (keyType !== 0) {
      error = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      message = "Transactions are not supported by Event Hubs on this tier.";
    } else if (!ctx.broker.groups.validGroupId(key)) {
      error = ErrorCode.INVALID_GROUP_ID;
      message = `Consumer group ids must have 1 to ${ctx.broker.groups.limits.maxGroupIdLength} characters.`;
    }
    const w = new Writer();
    if (v >= 1) w.int32(0);
    w.int16(error);
    if (v >= 1) w.nullableString(message);
    const { advertisedHost } = ctx.broker.settings;
    return w.int32(error ? -1 : 0).string(error ? "" : advertisedHost).int32(error ? -1 : ctx.conn.advertisedPort);
  },
};
