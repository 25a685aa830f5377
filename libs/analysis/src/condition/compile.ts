import { findPlaceholders, replacePlaceholders } from '../placeholders.js';
import { BUILTINS, type CallContext } from './builtins.js';
import { EvaluationFailure, type EvaluationFailureReason } from './evaluation-failure.js';
import { evaluateNode } from './evaluator.js';
import { ConditionParseFailure, type ParseFailureCode } from './lexer.js';
import { parseCondition } from './parser.js';
import type { ConditionNode } from './syntax-tree.js';
import { typeName } from './values.js';

const VARIABLES: ReadonlySet<string> = new Set(['result']);

/** A condition that cannot be compiled; `position` is the 0-based character offset of the problem. */
export class ConditionSyntaxError extends Error {
  override readonly name = 'ConditionSyntaxError';

  constructor(
    readonly condition: string,
    readonly reason: string,
    readonly position: number,
    readonly code: ParseFailureCode,
  ) {
    super(`${reason} at position ${position} of condition ${JSON.stringify(condition)}`);
  }
}

export type ConditionEvaluationErrorReason = EvaluationFailureReason;

/** Why a condition could not decide: the message reads like Argo's, e.g. `invalid operation: < (mismatched types <nil> and float64)`. */
export class ConditionEvaluationError extends Error {
  override readonly name = 'ConditionEvaluationError';

  constructor(
    readonly condition: string,
    readonly reason: ConditionEvaluationErrorReason,
    readonly detail: string,
    readonly position: number | undefined,
  ) {
    super(position === undefined ? detail : `${detail} (at position ${position} of ${JSON.stringify(condition)})`);
  }
}

/** `true` or `false` when the condition decided, otherwise the reason it could not. */
export type ConditionOutcome = boolean | ConditionEvaluationError;

export interface ConditionEnvironment {
  /** The measurement value as the provider shaped it: a number, an array of numbers, a string or JSON data. */
  result: unknown;
  /** Values for `{{args.name}}` placeholders written in the condition itself. */
  args?: Readonly<Record<string, string>>;
  /** The time of the measurement: what `now()` answers. */
  now?: Date;
}

export interface CompiledCondition {
  readonly source: string;
  /** Arguments the condition refers to through `{{args.name}}`, in order of first use. */
  readonly arguments: readonly string[];
  /** Decides the condition for one measurement value. Never throws. */
  evaluate(environment: ConditionEnvironment): ConditionOutcome;
}

/**
 * Compiles an Argo `successCondition`/`failureCondition` (expr-lang syntax) so that a template with a broken
 * condition can be refused when it is applied rather than when it first measures.
 * @example
 * const condition = compileCondition('result[0] >= 0.95');
 * if (!(condition instanceof ConditionSyntaxError)) condition.evaluate({ result: [0.97] }); // true
 * compileCondition('result >') // ConditionSyntaxError: unexpected end of condition at position 8
 */
export function compileCondition(source: string): CompiledCondition | ConditionSyntaxError {
  const tree = parse(source);
  if (tree instanceof ConditionSyntaxError) return tree;
  const placeholders = findPlaceholders(source);
  return {
    source,
    arguments: [...new Set(placeholders.flatMap((placeholder) => placeholder.argument ?? []))],
    evaluate: ({ result, args, now }) => {
      if (placeholders.length === 0 || args === undefined) return run(source, tree, { result, now });
      // Argo substitutes arguments into the text before compiling, so a value may be any fragment of syntax.
      const replaced = replacePlaceholders(source, args);
      if (replaced.unresolved) {
        const name = replaced.unresolved.argument ?? replaced.unresolved.tag;
        return new ConditionEvaluationError(source, 'missing-argument', `argument ${name} was not supplied`, replaced.unresolved.start);
      }
      const substituted = parse(replaced.text);
      if (substituted instanceof ConditionSyntaxError) {
        const reason = substituted.code === 'unknown-function' ? 'unknown-function' : 'syntax';
        return new ConditionEvaluationError(replaced.text, reason, substituted.reason, substituted.position);
      }
      return run(replaced.text, substituted, { result, now });
    },
  };
}

/** A condition over named values rather than one measurement: `rollout.status.phase == 'Healthy'`. */
export interface CompiledVariableCondition {
  readonly source: string;
  /** Decides the condition for these values of its names. Never throws. */
  evaluate(variables: Readonly<Record<string, unknown>>, now?: Date): ConditionOutcome;
}

/**
 * Compiles a condition (expr-lang syntax, the built-ins of analysis conditions) that may use the given names.
 * @example
 * const condition = compileVariableCondition("rollout.status.phase == 'Healthy'", ['rollout']);
 * if (!(condition instanceof ConditionSyntaxError)) condition.evaluate({ rollout: { status: { phase: 'Healthy' } } }); // true
 * compileVariableCondition('app.status', ['rollout']) // ConditionSyntaxError: unknown name app at position 0
 */
export function compileVariableCondition(source: string, names: readonly string[]): CompiledVariableCondition | ConditionSyntaxError {
  const tree = parse(source, new Set(names));
  if (tree instanceof ConditionSyntaxError) return tree;
  return { source, evaluate: (variables, now) => run(source, tree, { result: undefined, now, variables }) };
}

function parse(source: string, variables: ReadonlySet<string> = VARIABLES): ConditionNode | ConditionSyntaxError {
  try {
    return parseCondition(source, variables, BUILTINS);
  } catch (failure) {
    if (failure instanceof ConditionParseFailure) return new ConditionSyntaxError(source, failure.reason, failure.position, failure.code);
    throw failure;
  }
}

function run(source: string, tree: ConditionNode, context: CallContext): ConditionOutcome {
  let value: unknown;
  try {
    value = evaluateNode(tree, context);
  } catch (failure) {
    if (failure instanceof EvaluationFailure) return new ConditionEvaluationError(source, failure.reason, failure.detail, failure.position);
    // Only a value nested deeper than the call stack allows gets here.
    return new ConditionEvaluationError(source, 'invalid-value', `value cannot be evaluated: ${String(failure)}`, undefined);
  }
  if (typeof value !== 'boolean')
    return new ConditionEvaluationError(source, 'not-boolean', `expected bool, but got ${typeName(value)}`, undefined);
  return value;
}
