/**
 * SaslAuthenticate (36) v0-1: the PLAIN token, framed. A refusal answers SASL_AUTHENTICATION_FAILED with a readable
 * message and null auth bytes (as Event Hubs does), then the connection closes. session_lifetime_ms is 0 so kafkajs
 * never re-authenticates.
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import { authenticatePlain, SaslError } from "../sasl.js";
import type { ApiHandler } from "./types.js";

export const saslAuthenticate: ApiHandler = {
  apiKey: 36,
  name: "SaslAuthenticate",
  minVersion: 0,
  maxVersion: 1,
  handle(body, ctx) {
    const token = body.bytes();
    const w = new Writer();
    try {
      ctx.conn.principal = authenticatePlain(token, ctx.broker.settings.policies);
      ctx.conn.sasl = "authenticated";
      w.int16(ErrorCode.NONE).nullableString(null).bytes(Buffer.alloc(0));
    } catch (err) {
      if (!(err instanceof SaslError)) throw err;
      ctx.broker.logger.info("SASL authentication refused", { connection: ctx.conn.id, reason: err.message });
      ctx.conn.closeAfterResponse = true;
      w.int16(ErrorCode.SASL_AUTHENTICATION_FAILED).nullableString(err.message).nullableBytes(null);
    }
    if (ctx.apiVersion >= 1) w.int64(0);
    return w;
  },
};
