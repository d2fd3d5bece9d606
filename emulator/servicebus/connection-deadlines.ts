/**
 * The two deadlines of one AMQP connection, besides rhea's idle-time-out: authenticate with a put-token on $cbs
 * within authTimeoutMs of connecting, and never stay without a link for linklessTimeoutMs (Azure's LinkTracker).
 * When one passes, `expire` gets the fault to close the connection with.
 *
 * Real-time timers, not the emulator's clock: see amqp/connection-limits.ts. Both are unref'd, so they never keep
 * the process alive.
 */
import type { AmqpConnectionLimits } from "./amqp/connection-limits.js";
import { faults, type ServiceBusFault } from "./amqp/errors.js";

export class ConnectionDeadlines {
  private readonly auth: NodeJS.Timeout;
  private readonly linkless: NodeJS.Timeout;
  private cleared = false;

  constructor(
    limits: AmqpConnectionLimits,
    /** How many links the connection has now. */
    linkCount: () => number,
    expire: (fault: ServiceBusFault) => void,
  ) {
    this.auth = setTimeout(() => expire(faults.notAuthenticatedInTime(limits.authTimeoutMs)), limits.authTimeoutMs);
    this.auth.unref();
    this.linkless = setTimeout(() => {
      if (!this.cleared && linkCount() === 0) expire(faults.connectionInactive(limits.linklessTimeoutMs));
    }, limits.linklessTimeoutMs);
    this.linkless.unref();
  }

  /** A put-token was accepted. */
  authenticated(): void {
    clearTimeout(this.auth);
  }

  /** The last link went: the connection has the linkless deadline, from now, to open another. */
  lastLinkClosed(): void {
    // refresh() re-arms a timer that already ran (and found links then).
    if (!this.cleared) this.linkless.refresh();
  }

  clear(): void {
    this.cleared = true;
    clearTimeout(this.auth);
    clearTimeout(this.linkless);
  }
}
