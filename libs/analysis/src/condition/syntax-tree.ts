/** The parsed form of a condition. Every node remembers where it starts in the source text. */

export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or'
  | 'in'
  | '??'
  | '..'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'matches';

export type UnaryOperator = 'not' | '-' | '+';

export type LiteralValue = string | number | bigint | boolean | null;

export type ConditionNode =
  | { kind: 'literal'; value: LiteralValue; start: number }
  | { kind: 'identifier'; name: string; start: number }
  | { kind: 'element'; start: number }
  | { kind: 'placeholder'; argument: string; start: number }
  | { kind: 'array'; elements: ConditionNode[]; start: number }
  | { kind: 'map'; entries: MapEntry[]; start: number }
  | { kind: 'member'; target: ConditionNode; key: ConditionNode; optional: boolean; start: number }
  | { kind: 'slice'; target: ConditionNode; from: ConditionNode | undefined; to: ConditionNode | undefined; start: number }
  | { kind: 'unary'; operator: UnaryOperator; operand: ConditionNode; start: number }
  | { kind: 'binary'; operator: BinaryOperator; left: ConditionNode; right: ConditionNode; start: number }
  | { kind: 'conditional'; test: ConditionNode; whenTrue: ConditionNode; whenFalse: ConditionNode; start: number }
  | { kind: 'call'; name: string; args: CallArgument[]; start: number };

/** A predicate or mapping written `{# > 0.9}`; allowed only as an argument of the closure built-ins. */
export interface ClosureNode {
  kind: 'closure';
  body: ConditionNode;
  start: number;
}

export type CallArgument = ConditionNode | ClosureNode;

export interface MapEntry {
  key: ConditionNode;
  value: ConditionNode;
}
