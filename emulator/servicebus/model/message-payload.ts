/**
 * What the model needs from a message's content. The protocol layer implements it (keeping the sections' bytes as
 * they came); the model never decodes a message itself.
 */
export interface MessageFields {
  /** A system property stored in the message (MessageId, To, Label, SessionId, ContentType, TimeToLive, ...). */
  system(name: string): unknown;
  /** An application property; undefined when absent. */
  user(name: string): unknown;
  /** The names of the application properties (filters match them ignoring case). */
  userPropertyNames?(): Iterable<string>;
  /**
   * A slot an observer may fill with what it read of this payload (the dashboard's ids), so a message's later hops
   * (enqueued, delivered, completed) do not decode its properties again; a field, not a side table, because a weak
   * map entry per message cost the garbage collector more than the reads it saved.
   */
  observed?: unknown;
}

export interface MessagePayload extends MessageFields {
  /** Encoded size in bytes. */
  readonly size: number;
  /** The message's own time to live, when it sets one. */
  readonly timeToLiveMs: number | undefined;
  /** A copy with these application properties set; values that carry a protocol type keep it. */
  withUserProperties(changes: Iterable<readonly [string, unknown]>): MessagePayload;
  /** An editor for rule actions; `finish()` returns the edited copy (or this payload when nothing changed). */
  edit(): PayloadEditor;
}

export interface PayloadEditor extends MessageFields {
  setSystem(name: string, value: unknown): void;
  setUser(name: string, value: unknown): void;
  removeUser(name: string): void;
  finish(): MessagePayload;
}
