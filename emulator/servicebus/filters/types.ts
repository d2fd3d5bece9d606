/**
 * The contract between subscription rules and the messages they look at. The filter code never sees AMQP:
 * the model hands it a view of one message.
 */

/** Read access to a message for filters. Names of system properties are the ones SQL uses after `sys.`. */
export interface FilterInput {
  /** A system property (`MessageId`, `Label`, `To`, `SequenceNumber`, ...); undefined when the message has none. */
  system(name: string): unknown;
  /** An application (user) property; undefined when absent. */
  user(name: string): unknown;
  /**
   * The names of the message's application properties. Optional: when present, SQL filters, correlation filters and
   * actions find a user property whose name differs only in case (Azure: "Property names are case-insensitive").
   */
  userPropertyNames?(): Iterable<string>;
}

/** Write access for rule actions (`SET`, `REMOVE`), applied to the copy of the message a subscription keeps. */
export interface ActionTarget extends FilterInput {
  setSystem(name: string, value: unknown): void;
  setUser(name: string, value: unknown): void;
  removeUser(name: string): void;
}

export interface CompiledFilter {
  /**
   * True when the message matches. Throws FilterEvaluationError (errors.ts) when the expression cannot be evaluated
   * for this message (Azure's FilterException).
   */
  matches(message: FilterInput): boolean;
}

export interface CompiledAction {
  /** Applies the statements in order, each seeing the changes of the ones before. Throws FilterEvaluationError. */
  apply(message: ActionTarget): void;
}
