/**
 * What one AMQP connection may cost the emulator, with the figures Azure Service Bus applies. A peer that breaks a
 * limit loses its own connection (with an AMQP close error where the protocol allows one); everything else carries on.
 *
 * The deadlines run on real time, not on the emulator's clock: they measure a peer on the network, whose heartbeats
 * and handshakes arrive in real time. Tests move the emulator's clock by hours (TTL, scheduled messages, lock expiry);
 * on that clock every live SDK connection would look silent or unauthenticated and be cut. Tests pass short values.
 */

export interface AmqpConnectionLimits {
  /**
   * The max-frame-size we advertise in open: the largest frame a peer may send once open is exchanged (512 bytes
   * before it). Azure Service Bus Standard and Event Hubs use 262,144 bytes (Premium 1,048,576), per the AMQP 1.0
   * protocol guide (learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-protocol-guide).
   */
  maxFrameSize: number;
  /**
   * The idle-time-out we advertise in open (AMQP 1.0 section 2.4.5): the peer sends a frame (an empty one will do)
   * at least this often. As the spec advises, the threshold we enforce is twice the advertised value; a connection
   * silent for longer is closed with amqp:resource-limit-exceeded.
   */
  idleTimeoutMs: number;
  /**
   * Time from connect to the first accepted put-token on $cbs (the SASL exchange, open and CBS handshake). Azure
   * closes a connection that creates no link within 60 s (service-bus-amqp-troubleshoot: "inactive for more than
   * the allowed 60000 milliseconds"), and an anonymous connection may only talk to $cbs meanwhile.
   */
  authTimeoutMs: number;
  /**
   * A connection left with no link for this long is closed with amqp:connection:forced, as Azure's 'LinkTracker'
   * does after 300 s ("The connection was inactive for more than the allowed 300000 milliseconds", in
   * service-bus-amqp-troubleshoot). The SDKs open a new connection on their next operation.
   */
  linklessTimeoutMs: number;
  /**
   * Bytes of multi-frame transfers not yet complete that one connection may hold. Premium's largest message is
   * 100 MB; a peer that sends more without ending the transfer loses its connection.
   */
  maxBufferedBytes: number;
}

export const defaultAmqpLimits: AmqpConnectionLimits = {
  maxFrameSize: 262_144,
  idleTimeoutMs: 120_000,
  authTimeoutMs: 60_000,
  linklessTimeoutMs: 300_000,
  maxBufferedBytes: 128 * 1024 * 1024,
};
