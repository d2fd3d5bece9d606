/** The two ways a rule can fail: when it is compiled (a config or API error) and when it meets a message. */

/** A filter or action that does not parse or cannot be compiled. `position` is the 0-based offset in `expression`. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}

/**
 * Azure's FilterException: the expression parsed but cannot be evaluated for this message (an arithmetic operator on
 * a type it does not support, a division of integers by zero, a LIKE pattern that is not a string...). The subscription
 * then dead-letters the message when DeadLetteringOnFilterEvaluationExceptions is on.
 */
export class FilterEvaluationError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(`${message} (evaluating "${expression}")`);
    this.name = "FilterEvaluationError";
  }
}

/** Thrown inside compiled closures, which do not know the expression text; the compiled rule adds it. */
export class EvaluationFault extends Error {}

/** Thrown while compiling a node; the compiler adds the expression text. */
export class CompileFault extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(message);
  }
}
