/** ApiVersions (18) v0-2. A version above 2 is answered in v0 layout with UNSUPPORTED_VERSION and the full list (KIP-511). */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const apiVersions: ApiHandler = {
  apiKey: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 2,
  handle(_body, ctx) {
    const tooNew = ctx.apiVersion > apiVersions.maxVersion;
    const w = new Writer().int16(tooNew ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.NONE);
    w.array(ctx.broker.apis, (w, a) => w.int16(a.apiKey).int16(a.minVersion).int16(a.maxVersion));
    if (!tooNew && ctx.apiVersion >= 1) w.int32(0);
    return w;
  },
};
