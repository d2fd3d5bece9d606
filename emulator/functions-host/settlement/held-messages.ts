/**
 * The messages (by lock token) and sessions (by session id) an SDK-bound invocation may settle, each with the
 * trigger's own receiver that holds the lock: Service Bus accepts a settlement only on the link that received the
 * message, and a session's state and lock only through the receiver that holds the session. As on Azure (the
 * extension's actions cache), an entry lives while its invocation runs; a lock token not held is refused.
 */
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSessionReceiver } from "@azure/service-bus";

export interface HeldMessage {
  readonly receiver: ServiceBusReceiver;
  readonly message: ServiceBusReceivedMessage;
  /** Set once the app settled it, so the host does not settle it again. */
  settled: boolean;
}

export interface HeldSession {
  readonly receiver: ServiceBusSessionReceiver;
  /** Set when the app asked to release the session: the trigger lets it go after the invocation. */
  releaseRequested: boolean;
}

export class HeldMessages {
  private readonly messages = new Map<string, HeldMessage>();
  private readonly sessions = new Map<string, HeldSession>();

  /** Holds the messages of one invocation; the returned function lets them go and says which the app settled. */
  hold(receiver: ServiceBusReceiver, messages: ServiceBusReceivedMessage[]): () => Set<ServiceBusReceivedMessage> {
    const held: HeldMessage[] = [];
    for (const message of messages) {
      if (!message.lockToken) continue;
      const entry = { receiver, message, settled: false };
      this.messages.set(message.lockToken.toLowerCase(), entry);
      held.push(entry);
    }
    return () => {
      const settled = new Set<ServiceBusReceivedMessage>();
      for (const entry of held) {
        const key = (entry.message.lockToken as string).toLowerCase();
        if (this.messages.get(key) === entry) this.messages.delete(key);
        if (entry.settled) settled.add(entry.message);
      }
      return settled;
    };
  }

  /** Holds a session for the invocations that run on it; the returned entry tells whether the app released it. */
  holdSession(receiver: ServiceBusSessionReceiver): { entry: HeldSession; letGo: () => void } {
    const entry: HeldSession = { receiver, releaseRequested: false };
    this.sessions.set(receiver.sessionId, entry);
    return {
      entry,
      letGo: () => {
        if (this.sessions.get(receiver.sessionId) === entry) this.sessions.delete(receiver.sessionId);
      },
    };
  }

  message(lockToken: string): HeldMessage | undefined {
    return this.messages.get(lockToken.toLowerCase());
  }

  session(sessionId: string): HeldSession | undefined {
    return this.sessions.get(sessionId);
  }
}
