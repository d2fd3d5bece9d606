/**
 * InitProducerId (22) v0-1: gives an idempotent producer (kafkajs `idempotent: true`, librdkafka
 * `enable.idempotence=true`, Java clients 3.0+ by default) a new producer id at epoch 0. Event Hubs supports
 * idempotent producers on every Kafka tier; transactions are Premium and Dedicated only, so a transactional id is
 * refused (clients never get this far: FindCoordinator for a transaction is refused first).
 * v2+ are flexible versions (tagged fields), which the endpoint does not speak; clients negotiate down to v1.
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

const NO_PRODUCER_ID = -1;

export const initProducerId: ApiHandler = {
  apiKey: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 1,
  handle(body, ctx) {
    const transactionalId = body.nullableString();
    body.int32(); // transaction_timeout_ms: no transactions
    const w = new Writer().int32(0);
    let error: number = ErrorCode.NONE;
    if (transactionalId !== null) error = ErrorCode.INVALID_REQUEST;
    else if (!ctx.conn.principal?.rights.has("Send")) error = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    if (error !== ErrorCode.NONE) {
      ctx.broker.logger.debug("InitProducerId refused", { connection: ctx.conn.id, code: error, transactionalId });
      return w.int16(error).int64(NO_PRODUCER_ID).int16(-1);
    }
    return w.int16(ErrorCode.NONE).int64(ctx.broker.producerIds.allocate()).int16(0);
  },
};
