/**
 * SaslHandshake (17) v0-1: only PLAIN, as on the Event Hubs Kafka endpoint with a connection string. After v0 the
 * client sends the token as a raw length-prefixed packet (KIP-43); after v1 it wraps it in SaslAuthenticate (KIP-152).
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const saslHandshake: ApiHandler = {
  apiKey: 17,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,
  handle(body, ctx) {
    const mechanism = body.string();
    const w = new Writer();
    if (mechanism !== "PLAIN") {
      ctx.conn.closeAfterResponse = true;
      return w.int16(ErrorCode.UNSUPPORTED_SASL_MECHANISM).array(["PLAIN"], (w, m) => w.string(m));
    }
    ctx.conn.sasl = ctx.apiVersion === 0 ? "raw-token" : "authenticate";
    return w.int16(ErrorCode.NONE).array(["PLAIN"], (w, m) => w.string(m));
  },
};
