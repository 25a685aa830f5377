import { BUILTINS, type Builtin, type CallContext, type Closure } from './builtins.js';
import { EvaluationFailure, typeMismatch } from './evaluation-failure.js';
import { arithmetic, compare, matches, mismatch, range } from './operators.js';
import type { BinaryOperator, CallArgument, ConditionNode, MapEntry } from './syntax-tree.js';
import {
  FORBIDDEN_PROPERTIES,
  goInt,
  hasOwnDataProperty,
  isConditionArray,
  isConditionMap,
  isNil,
  readOwnProperty,
  typeName,
  valuesEqual,
  type ConditionMap,
} from './values.js';

interface Scope extends CallContext {
  /** The element bound to `#` by the innermost closure. */
  element?: unknown;
}

/** Evaluates a parsed condition; throws {@link EvaluationFailure}, which the compiled condition turns into a value. */
export function evaluateNode(node: ConditionNode, scope: Scope): unknown {
  try {
    return evaluate(node, scope);
  } catch (failure) {
    throw failure instanceof EvaluationFailure ? failure.at(node.start) : failure;
  }
}

function evaluate(node: ConditionNode, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier':
      return node.name === 'result' ? scope.result : readOwnProperty(scope.variables ?? {}, node.name);
    case 'element':
      return scope.element;
    case 'placeholder':
      throw new EvaluationFailure('missing-argument', `argument ${node.argument} was not supplied`);
    case 'array':
      return node.elements.map((element) => evaluateNode(element, scope));
    case 'map':
      return buildMap(node.entries, scope);
    case 'member': {
      const target = evaluateNode(node.target, scope);
      if (isNil(target) && node.optional) return undefined;
      return fetch(target, evaluateNode(node.key, scope));
    }
    case 'slice':
      return slice(evaluateNode(node.target, scope), node.from && evaluateNode(node.from, scope), node.to && evaluateNode(node.to, scope));
    case 'unary':
      return unary(node.operator, evaluateNode(node.operand, scope));
    case 'binary':
      return binary(node.operator, node.left, node.right, scope);
    case 'conditional':
      return boolean('?:', evaluateNode(node.test, scope)) ? evaluateNode(node.whenTrue, scope) : evaluateNode(node.whenFalse, scope);
    case 'call':
      return call(node.name, node.args, scope);
  }
}

function call(name: string, args: readonly CallArgument[], scope: Scope): unknown {
  // The parser admits only names from BUILTINS.
  const builtin = BUILTINS[name] as Builtin;
  const values: unknown[] = [];
  let closure: Closure | undefined;
  for (const argument of args) {
    if (argument.kind === 'closure') {
      closure = (element) => evaluateNode(argument.body, { ...scope, element });
    } else {
      values.push(evaluateNode(argument, scope));
    }
  }
  return builtin.apply(values, closure, scope);
}

/** A map literal; built without a prototype so that no key, `__proto__` included, reaches JavaScript internals. */
function buildMap(entries: readonly MapEntry[], scope: Scope): ConditionMap {
  const map: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const entry of entries) {
    const key = evaluateNode(entry.key, scope);
    if (typeof key !== 'string') throw typeMismatch(`cannot use ${typeName(key)} as a map key, expected string`);
    map[key] = evaluateNode(entry.value, scope);
  }
  return map;
}

function fetch(target: unknown, key: unknown): unknown {
  if (isConditionMap(target)) {
    if (typeof key !== 'string') throw typeMismatch(`cannot use ${typeName(key)} as a key of ${typeName(target)}`);
    if (FORBIDDEN_PROPERTIES.has(key)) throw new EvaluationFailure('forbidden-property', `property ${key} is not readable`);
    return readOwnProperty(target, key);
  }
  if (isConditionArray(target) || typeof target === 'string') {
    const items = typeof target === 'string' ? [...target] : target;
    if (typeof key !== 'bigint') throw typeMismatch(`cannot use ${typeName(key)} as an index of ${typeName(target)}`);
    const index = Number(key < 0n ? BigInt(items.length) + key : key);
    if (index < 0 || index >= items.length) {
      throw new EvaluationFailure('index-out-of-range', `index out of range: ${key} (array length is ${items.length})`);
    }
    return items[index];
  }
  throw typeMismatch(`cannot fetch ${String(key)} from ${typeName(target)}`);
}

function slice(target: unknown, from: unknown, to: unknown): unknown {
  if (!isConditionArray(target) && typeof target !== 'string') throw typeMismatch(`cannot slice ${typeName(target)}`);
  const items = typeof target === 'string' ? [...target] : target;
  const bound = (value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'bigint') throw typeMismatch(`cannot use ${typeName(value)} as a slice bound`);
    const position = Number(value < 0n ? BigInt(items.length) + value : value);
    return Math.min(Math.max(position, 0), items.length);
  };
  const start = bound(from, 0);
  const end = Math.max(bound(to, items.length), start);
  const picked = items.slice(start, end);
  return typeof target === 'string' ? picked.join('') : picked;
}

function boolean(operator: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeMismatch(`invalid operation: ${operator} on ${typeName(value)}, expected bool`);
  return value;
}

function unary(operator: 'not' | '-' | '+', operand: unknown): unknown {
  if (operator === 'not') return !boolean('not', operand);
  if (typeof operand === 'bigint') return operator === '-' ? goInt(-operand) : operand;
  if (typeof operand !== 'number') throw typeMismatch(`invalid operation: ${operator} ${typeName(operand)}`);
  return operator === '-' ? -operand : operand;
}

function binary(operator: BinaryOperator, leftNode: ConditionNode, rightNode: ConditionNode, scope: Scope): unknown {
  const left = evaluateNode(leftNode, scope);
  switch (operator) {
    case 'and':
      return boolean(operator, left) && boolean(operator, evaluateNode(rightNode, scope));
    case 'or':
      return boolean(operator, left) || boolean(operator, evaluateNode(rightNode, scope));
    case '??':
      return isNil(left) ? evaluateNode(rightNode, scope) : left;
    case '==':
    case '!=': {
      const right = evaluateNode(rightNode, scope);
      if (hasStaticType(leftNode) && hasStaticType(rightNode) && !comparableKinds(left, right)) throw mismatch(operator, left, right);
      return strictBinary(operator, left, right);
    }
    default:
      return strictBinary(operator, left, evaluateNode(rightNode, scope));
  }
}

function strictBinary(operator: Exclude<BinaryOperator, 'and' | 'or' | '??'>, left: unknown, right: unknown): unknown {
  switch (operator) {
    case '==':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
    case 'in':
      return contains(right, left);
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if (typeof left !== 'string' || typeof right !== 'string') throw mismatch(operator, left, right);
      return operator === 'contains' ? left.includes(right) : operator === 'startsWith' ? left.startsWith(right) : left.endsWith(right);
    case 'matches':
      return matches(left, right);
    case '..':
      return range(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(operator, left, right);
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '**':
      return arithmetic(operator, left, right);
  }
}

/** The functions whose answer has one type whatever their arguments (others, such as `default` or `first`, answer `any`). */
const TYPED_FUNCTIONS: ReadonlySet<string> = new Set([
  'len',
  'int',
  'float',
  'asInt',
  'asFloat',
  'isNaN',
  'isInf',
  'isNil',
  'count',
  'mean',
  'median',
  'ceil',
  'floor',
  'round',
  'upper',
  'lower',
  'trim',
  'trimPrefix',
  'trimSuffix',
  'replace',
  'repeat',
  'join',
  'split',
  'indexOf',
  'lastIndexOf',
  'hasPrefix',
  'hasSuffix',
  'now',
  'date',
  'duration',
  'all',
  'any',
  'none',
  'one',
]);

/**
 * Whether Argo's expr-lang knows the node's type when it compiles the condition: a literal, `result` (typed from
 * its value) or a function's answer. Comparing two such values of different kinds is a compile error there; values
 * read out of JSON data are untyped, and `==` on them is simply false.
 */
function hasStaticType(node: ConditionNode): boolean {
  return (
    (node.kind === 'literal' && node.value !== null) ||
    (node.kind === 'identifier' && node.name === 'result') ||
    (node.kind === 'call' && TYPED_FUNCTIONS.has(node.name))
  );
}

function comparableKinds(left: unknown, right: unknown): boolean {
  if (isNil(left) || isNil(right)) return true;
  const kind = (value: unknown): string =>
    typeof value === 'bigint' ? 'number' : typeName(value) === 'float64' ? 'number' : typeName(value);
  return kind(left) === kind(right);
}

function contains(collection: unknown, needle: unknown): boolean {
  if (isNil(collection)) return false;
  if (isConditionArray(collection)) return collection.some((item) => valuesEqual(item, needle));
  if (isConditionMap(collection)) {
    if (typeof needle !== 'string') throw typeMismatch(`cannot use ${typeName(needle)} as a key of ${typeName(collection)}`);
    return hasOwnDataProperty(collection, needle);
  }
  throw typeMismatch(`operator "in" not defined on ${typeName(collection)}`);
}
