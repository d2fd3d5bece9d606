/**
 * The syntax tree the grammar (sql.peggy) builds. `pos` is the 0-based offset of the node in the expression text;
 * compile-time errors report it.
 */

export type LiteralValue = string | bigint | number | boolean | null;

export interface LiteralNode {
  kind: "literal";
  /** Integer constants are bigint (Int64); decimal and scientific constants are number (Double). */
  value: LiteralValue;
  /** The digits of an integer constant, kept so that the Int64 range check can allow `-9223372036854775808`. */
  integerText?: string;
  pos: number;
}

export interface PropertyNode {
  kind: "property";
  /** `sys`, `user` (any case) or null for the default user scope; anything else is rejected when compiling. */
  scope: string | null;
  name: string;
  pos: number;
}

export interface ParameterNode {
  kind: "parameter";
  /** With its leading `@`. */
  name: string;
  pos: number;
}

export interface CallNode {
  kind: "call";
  name: string;
  args: ExpressionNode[];
  pos: number;
}

export interface UnaryNode {
  kind: "unary";
  op: "+" | "-";
  operand: ExpressionNode;
  pos: number;
}

export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";

export interface BinaryNode {
  kind: "binary";
  op: ArithmeticOperator;
  left: ExpressionNode;
  right: ExpressionNode;
  pos: number;
}

export type ExpressionNode = LiteralNode | PropertyNode | ParameterNode | CallNode | UnaryNode | BinaryNode;

export type ComparisonOperator = "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=";

export interface LogicalNode {
  kind: "and" | "or";
  left: PredicateNode;
  right: PredicateNode;
  pos: number;
}

export interface NotNode {
  kind: "not";
  operand: PredicateNode;
  pos: number;
}

export interface CompareNode {
  kind: "compare";
  op: ComparisonOperator;
  left: ExpressionNode;
  right: ExpressionNode;
  pos: number;
}

export interface InNode {
  kind: "in";
  left: ExpressionNode;
  list: ExpressionNode[];
  negated: boolean;
  pos: number;
}

export interface LikeNode {
  kind: "like";
  left: ExpressionNode;
  pattern: ExpressionNode;
  escape: ExpressionNode | null;
  negated: boolean;
  pos: number;
}

export interface IsNullNode {
  kind: "isNull";
  operand: PropertyNode | CallNode;
  negated: boolean;
  pos: number;
}

export interface ExistsNode {
  kind: "exists";
  property: PropertyNode;
  pos: number;
}

export type PredicateNode = LogicalNode | NotNode | CompareNode | InNode | LikeNode | IsNullNode | ExistsNode;

export interface SetStatement {
  kind: "set";
  target: PropertyNode;
  value: ExpressionNode;
  pos: number;
}

export interface RemoveStatement {
  kind: "remove";
  target: PropertyNode;
  pos: number;
}

export type ActionStatement = SetStatement | RemoveStatement;
