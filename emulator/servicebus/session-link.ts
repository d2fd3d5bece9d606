/**
 * Session receivers (notes sections 5.1 and 10): `acceptSession(id)` locks that session or is refused with
 * SessionCannotBeLocked; `acceptNextSession` locks the unlocked session with the oldest message, or holds its attach
 * back until one appears or `com.microsoft:timeout` passes on the emulator clock (then ServiceTimeout). The answering
 * attach carries the session id in the source filter and the lock's expiry as .NET ticks in `locked-until-utc`.
 */
import type { Clock } from "../common/clock.js";
import { amqpTypes } from "./amqp/codec.js";
import { faults } from "./amqp/errors.js";
import { answerAttach, holdAttach, refuseLink, releaseAttach } from "./amqp/rhea-adapter.js";
import type { ConsumerLink } from "./consumer-link.js";

export const SESSION_FILTER = "com.microsoft:session-filter";
const TIMEOUT_PROPERTY = "com.microsoft:timeout";
const DEFAULT_TIMEOUT_MS = 60_000;
const EPOCH_TICKS = 621355968000000000n;

/** What the client's attach asks for: no session, a given session, or the next free one (id undefined). */
export type SessionRequest = { sessionful: false } | { sessionful: true; sessionId: string | undefined };

export function sessionRequestOf(link: any): SessionRequest {
  const filter = link.remote.attach?.source?.filter;
  if (!filter || typeof filter !== "object") return { sessionful: false };
  const key = Object.keys(filter).find((k) => k.toLowerCase() === SESSION_FILTER);
  if (key === undefined) return { sessionful: false };
  const value = filter[key];
  const id = value && typeof value === "object" && "value" in value ? value.value : value;
  return { sessionful: true, sessionId: id === undefined || id === null ? undefined : String(id) };
}

/** An AMQP long holding .NET ticks (too big for a JS number, so as 8 bytes). */
function ticks(ms: number): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(Math.round(ms)) * 10000n + EPOCH_TICKS);
  return amqpTypes.wrap_long(bytes);
}

export interface SessionAttach {
  link: any;
  consumer: ConsumerLink;
  address: string;
  target: Record<string, unknown> | null;
  clock: Clock;
}

/** Answers a session receiver's attach; throws (SessionCannotBeLocked) when the requested session is taken. */
export function openSessionReceiver(attach: SessionAttach, sessionId: string | undefined): void {
  const { link, consumer, clock } = attach;
  const store = consumer.store;
  const accept = (id: string, lockedUntil: number) => {
    consumer.sessionId = id;
    answerAttach(link, {
      source: { address: attach.address, filter: { [SESSION_FILTER]: id } },
      target: attach.target,
      copySettleModes: true,
      properties: { "com.microsoft:locked-until-utc": ticks(lockedUntil) },
    });
    consumer.start();
  };
  if (sessionId !== undefined) {
    accept(sessionId, store.acceptSession(sessionId, consumer));
    return;
  }
  const next = store.acceptNextSession(consumer);
  if (next) {
    accept(next.sessionId, next.lockedUntil);
    return;
  }
  // Long poll: no session now; answer when one can be claimed, or with a timeout error.
  const requested = Number(link.remote.attach?.properties?.[TIMEOUT_PROPERTY]);
  const timeoutMs = Number.isFinite(requested) && requested > 0 ? requested : DEFAULT_TIMEOUT_MS;
  holdAttach(link);
  let held = true;
  let cancelWait = () => {};
  const release = () => {
    if (!held) return;
    held = false;
    cancelWait();
    timer.cancel();
    releaseAttach(link);
  };
  const tryClaim = () => {
    if (!held) return;
    const claimed = store.acceptNextSession(consumer);
    if (!claimed) {
      cancelWait = store.waitForSession(tryClaim);
      return;
    }
    accept(claimed.sessionId, claimed.lockedUntil);
    release();
  };
  const timer = clock.setTimer(timeoutMs, () => {
    if (!held) return;
    answerAttach(link, { source: { address: attach.address }, target: attach.target });
    refuseLink(link, faults.noSessionAvailable(timeoutMs).toAmqpError());
    release();
  });
  cancelWait = store.waitForSession(tryClaim);
  // The client gave up (detached) first: send the held attach so its detach is answered in order.
  consumer.onClose(release);
}
