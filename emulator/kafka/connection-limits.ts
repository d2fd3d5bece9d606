/**
 * What one Kafka connection may cost the emulator, beside the request size limit (MAX_REQUEST_BYTES in index.ts).
 * A client that breaks a limit loses its own connection (Kafka has no error frame for these: the socket closes,
 * which every client treats as retriable); other clients carry on.
 *
 * The deadlines run on real time, not on the emulator's clock: they measure a client on the network. Tests move the
 * emulator's clock by hours (retention, session timeouts), and on that clock every live kafkajs connection would look
 * idle and be cut. Tests pass short values instead.
 */

export interface KafkaConnectionLimits {
  /**
   * Largest request before SASL authentication completes. Apache Kafka brokers refuse larger ones
   * (sasl.server.max.receive.size, 524,288 bytes by default): an unauthenticated peer cannot make the broker
   * buffer a full-size request.
   */
  maxPreAuthRequestBytes: number;
  /**
   * Time from connect to a successful SaslAuthenticate. Event Hubs documents no figure; the emulator uses Service
   * Bus's documented 60 s (a connection that does nothing useful for a minute is closed).
   */
  authTimeoutMs: number;
  /**
   * A connection with no request and no response for this long is closed: Event Hubs closes idle connections after
   * 240 s (apache-kafka-configurations: keep connections.max.idle.ms below 240000). A request still being answered
   * (a long-polling Fetch, a JoinGroup waiting for the rebalance) keeps the connection busy, not idle.
   */
  idleTimeoutMs: number;
  /**
   * Bytes of complete requests waiting behind the one being answered. Past this the emulator stops reading the
   * socket until it catches up (TCP backpressure: nothing is lost), as a Kafka broker mutes a busy connection.
   */
  maxQueuedBytes: number;
}

export const defaultKafkaLimits: KafkaConnectionLimits = {
  maxPreAuthRequestBytes: 524_288,
  authTimeoutMs: 60_000,
  idleTimeoutMs: 240_000,
  maxQueuedBytes: 4 * 1024 * 1024,
};
