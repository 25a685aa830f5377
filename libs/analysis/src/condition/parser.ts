import { EvaluationFailure } from './evaluation-failure.js';
import { ConditionParseFailure, tokenize, type Token } from './lexer.js';
import { compilePattern } from './operators.js';
import type { BinaryOperator, CallArgument, ClosureNode, ConditionNode, MapEntry } from './syntax-tree.js';
import { FORBIDDEN_PROPERTIES } from './values.js';

/** What the parser must know about the functions a condition may call. */
export interface FunctionSignature {
  parameters: number;
  /** The most arguments it takes when more than `parameters` (`Infinity`: any number). */
  maxParameters?: number;
  /** Index of the parameter that takes a closure such as `{# > 0.9}`. */
  closureParameter?: number;
}

interface BinaryRule {
  operator: BinaryOperator | '|';
  precedence: number;
  /** Written `not in`, `not contains`…: the operator's answer negated. */
  negated: boolean;
  tokens: number;
}

// Precedences follow expr-lang, so `not a == b` reads `(not a) == b` exactly as in Argo.
const BINARY_PRECEDENCE: ReadonlyMap<string, number> = new Map([
  ['|', 0],
  ['or', 10],
  ['||', 10],
  ['and', 15],
  ['&&', 15],
  ['==', 20],
  ['!=', 20],
  ['<', 20],
  ['<=', 20],
  ['>', 20],
  ['>=', 20],
  ['in', 20],
  ['matches', 20],
  ['contains', 20],
  ['startsWith', 20],
  ['endsWith', 20],
  ['..', 25],
  ['+', 30],
  ['-', 30],
  ['*', 60],
  ['/', 60],
  ['%', 60],
  ['**', 100],
  ['^', 100],
  ['??', 500],
]);
const OPERATOR_ALIASES: ReadonlyMap<string, BinaryOperator> = new Map([
  ['||', 'or'],
  ['&&', 'and'],
  ['^', '**'],
]);
const RIGHT_ASSOCIATIVE = new Set(['**', '^']);
const NEGATABLE_OPERATORS = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
const UNARY_PRECEDENCE = { not: 50, sign: 90 } as const;
const LITERAL_NAMES: ReadonlyMap<string, boolean | null> = new Map([
  ['true', true],
  ['false', false],
  ['nil', null],
]);
const MAXIMUM_NESTING = 64;

/**
 * Parses a condition into a syntax tree, refusing names and functions the environment does not offer.
 * Throws {@link ConditionParseFailure}; `compileCondition` turns that into a returned error.
 */
export function parseCondition(
  source: string,
  variables: ReadonlySet<string>,
  functions: Readonly<Record<string, FunctionSignature>>,
): ConditionNode {
  return new Parser(tokenize(source), variables, functions).parseAll();
}

class Parser {
  private index = 0;
  private depth = 0;
  private closureDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly variables: ReadonlySet<string>,
    private readonly functions: Readonly<Record<string, FunctionSignature>>,
  ) {}

  parseAll(): ConditionNode {
    const tree = this.parseExpression(0);
    const next = this.peek();
    if (next.type !== 'end') throw this.unexpected(next);
    return tree;
  }

  private parseExpression(minimumPrecedence: number): ConditionNode {
    this.depth += 1;
    if (this.depth > MAXIMUM_NESTING) throw new ConditionParseFailure('condition nests too deeply', this.peek().start);
    let left = this.parseOperand();
    for (let rule = this.binaryRule(); rule && rule.precedence >= minimumPrecedence; rule = this.binaryRule()) {
      const start = this.peek().start;
      this.index += rule.tokens;
      if (rule.operator === '|') {
        left = this.parsePipe(left);
        continue;
      }
      const right = this.parseExpression(RIGHT_ASSOCIATIVE.has(rule.operator) ? rule.precedence : rule.precedence + 1);
      if (rule.operator === 'matches') this.refuseInvalidPattern(right);
      const binary: ConditionNode = { kind: 'binary', operator: rule.operator, left, right, start };
      left = rule.negated ? { kind: 'unary', operator: 'not', operand: binary, start } : binary;
    }
    if (minimumPrecedence === 0 && this.isPunctuation('?')) {
      const start = this.next().start;
      const whenTrue = this.parseExpression(0);
      this.expectPunctuation(':');
      const whenFalse = this.parseExpression(0);
      left = { kind: 'conditional', test: left, whenTrue, whenFalse, start };
    }
    this.depth -= 1;
    return left;
  }

  private binaryRule(): BinaryRule | undefined {
    const token = this.peek();
    const text = token.type === 'punctuation' || token.type === 'name' ? token.value : undefined;
    if (text === undefined) return undefined;
    if (text === 'not') {
      const following = this.tokens[this.index + 1];
      if (following?.type === 'name' && NEGATABLE_OPERATORS.has(following.value)) {
        const operator = following.value as BinaryOperator;
        return { operator, precedence: BINARY_PRECEDENCE.get(operator) as number, negated: true, tokens: 2 };
      }
      return undefined;
    }
    const precedence = BINARY_PRECEDENCE.get(text);
    if (precedence === undefined) return undefined;
    const operator = text === '|' ? text : (OPERATOR_ALIASES.get(text) ?? (text as BinaryOperator));
    return { operator, precedence, negated: false, tokens: 1 };
  }

  private parseOperand(): ConditionNode {
    const token = this.peek();
    const isNot = (token.type === 'name' && token.value === 'not') || (token.type === 'punctuation' && token.value === '!');
    if (isNot) {
      this.index += 1;
      const operand = this.parseExpression(UNARY_PRECEDENCE.not);
      return this.parsePostfix({ kind: 'unary', operator: 'not', operand, start: token.start });
    }
    if (token.type === 'punctuation' && (token.value === '-' || token.value === '+')) {
      this.index += 1;
      const operand = this.parseExpression(UNARY_PRECEDENCE.sign);
      return this.parsePostfix({ kind: 'unary', operator: token.value, operand, start: token.start });
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): ConditionNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, start: token.start };
      case 'placeholder':
        return { kind: 'placeholder', argument: token.argument, start: token.start };
      case 'element':
        if (this.closureDepth === 0) throw new ConditionParseFailure('# is only allowed inside a closure', token.start);
        return { kind: 'element', start: token.start };
      case 'name':
        return this.parseName(token.value, token.start);
      case 'punctuation':
        return this.parsePunctuationPrimary(token.value, token.start);
      case 'end':
        throw this.unexpected(token);
    }
  }

  private parseName(name: string, start: number): ConditionNode {
    const literal = LITERAL_NAMES.get(name);
    if (literal !== undefined) return { kind: 'literal', value: literal, start };
    if (this.isPunctuation('(')) return this.parseCall(name, start, []);
    if (!this.variables.has(name)) {
      const reason = BINARY_PRECEDENCE.has(name) || name === 'not' ? `unexpected ${name}` : `unknown name ${name}`;
      throw new ConditionParseFailure(reason, start);
    }
    return { kind: 'identifier', name, start };
  }

  private parsePunctuationPrimary(value: string, start: number): ConditionNode {
    if (value === '(') {
      const inner = this.parseExpression(0);
      this.expectPunctuation(')');
      return inner;
    }
    if (value === '[') return { kind: 'array', elements: this.parseList(']'), start };
    if (value === '.' && this.closureDepth > 0) {
      // Inside a closure `.field` is shorthand for `#.field`.
      return { kind: 'member', target: { kind: 'element', start }, key: this.parsePropertyName(), optional: false, start };
    }
    if (value === '{') return this.parseMap(start);
    throw new ConditionParseFailure(`unexpected ${JSON.stringify(value)}`, start);
  }

  /** `value | name(more)` calls `name(value, more)`. */
  private parsePipe(piped: ConditionNode): ConditionNode {
    const token = this.next();
    if (token.type !== 'name' || !this.isPunctuation('(')) {
      throw new ConditionParseFailure('expected a function call after |', token.start);
    }
    return this.parseCall(token.value, token.start, [piped]);
  }

  private parseCall(name: string, start: number, piped: CallArgument[]): ConditionNode {
    const signature = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (!signature) throw new ConditionParseFailure(`unknown function ${name}`, start, 'unknown-function');
    this.expectPunctuation('(');
    const args: CallArgument[] = [...piped];
    while (!this.isPunctuation(')')) {
      args.push(signature.closureParameter === args.length ? this.parseClosure() : this.parseExpression(0));
      if (!this.isPunctuation(')')) this.expectPunctuation(',');
    }
    this.next();
    const most = signature.maxParameters ?? signature.parameters;
    if (args.length < signature.parameters || args.length > most) {
      const takes =
        most === signature.parameters
          ? `${signature.parameters}`
          : most === Number.POSITIVE_INFINITY
            ? `at least ${signature.parameters}`
            : `${signature.parameters} to ${most}`;
      throw new ConditionParseFailure(`${name} takes ${takes} argument(s), got ${args.length}`, start);
    }
    return { kind: 'call', name, args, start };
  }

  /** A predicate, `{# > 0.9}` or, as expr-lang also reads it, without braces: `# > 0.9`. */
  private parseClosure(): ClosureNode {
    const start = this.peek().start;
    const braced = this.isPunctuation('{');
    if (braced) this.next();
    this.closureDepth += 1;
    const body = this.parseExpression(0);
    this.closureDepth -= 1;
    if (braced) this.expectPunctuation('}');
    return { kind: 'closure', body, start };
  }

  /** `{name: value, 'key': value, (expression): value}`. */
  private parseMap(start: number): ConditionNode {
    const entries: MapEntry[] = [];
    while (!this.isPunctuation('}')) {
      const key = this.parseMapKey();
      this.expectPunctuation(':');
      entries.push({ key, value: this.parseExpression(0) });
      if (!this.isPunctuation('}')) this.expectPunctuation(',');
    }
    this.next();
    return { kind: 'map', entries, start };
  }

  private parseMapKey(): ConditionNode {
    const token = this.next();
    if (token.type === 'name' || token.type === 'string') return { kind: 'literal', value: token.value, start: token.start };
    if (token.type === 'number') return { kind: 'literal', value: String(token.value), start: token.start };
    if (token.type === 'punctuation' && token.value === '(') {
      const key = this.parseExpression(0);
      this.expectPunctuation(')');
      return key;
    }
    if (token.type === 'element' || (token.type === 'punctuation' && token.value === '.')) {
      throw new ConditionParseFailure('a predicate {…} is only allowed as an argument of a function that takes one', token.start);
    }
    throw new ConditionParseFailure(`a map key must be a name, a string or (expression), not ${describe(token)}`, token.start);
  }

  private parseList(closing: string): ConditionNode[] {
    const elements: ConditionNode[] = [];
    while (!this.isPunctuation(closing)) {
      elements.push(this.parseExpression(0));
      if (!this.isPunctuation(closing)) this.expectPunctuation(',');
    }
    this.next();
    return elements;
  }

  private parsePostfix(target: ConditionNode): ConditionNode {
    let node = target;
    for (;;) {
      const token = this.peek();
      if (token.type !== 'punctuation') return node;
      if (token.value === '.' || token.value === '?.') {
        this.next();
        const optional = token.value === '?.';
        node =
          optional && this.isPunctuation('[')
            ? this.parseIndex(node, this.next().start, true)
            : { kind: 'member', target: node, key: this.parsePropertyName(), optional, start: token.start };
      } else if (token.value === '[') {
        this.next();
        node = this.parseIndex(node, token.start, false);
      } else if (token.value === '(') {
        throw new ConditionParseFailure('only built-in functions can be called', token.start);
      } else {
        return node;
      }
    }
  }

  private parseIndex(target: ConditionNode, start: number, optional: boolean): ConditionNode {
    const from = this.isPunctuation(':') ? undefined : this.parseExpression(0);
    if (from && this.isPunctuation(']')) {
      this.next();
      this.refuseForbiddenKey(from);
      return { kind: 'member', target, key: from, optional, start };
    }
    this.expectPunctuation(':');
    const to = this.isPunctuation(']') ? undefined : this.parseExpression(0);
    this.expectPunctuation(']');
    return { kind: 'slice', target, from, to, start };
  }

  private parsePropertyName(): ConditionNode {
    const token = this.next();
    if (token.type !== 'name') throw new ConditionParseFailure('expected a property name', token.start);
    const key: ConditionNode = { kind: 'literal', value: token.value, start: token.start };
    this.refuseForbiddenKey(key);
    return key;
  }

  /** A pattern written as a literal is compiled with the condition, as expr-lang does. */
  private refuseInvalidPattern(pattern: ConditionNode): void {
    if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') return;
    try {
      compilePattern(pattern.value);
    } catch (failure) {
      if (failure instanceof EvaluationFailure) throw new ConditionParseFailure(failure.detail, pattern.start);
      throw failure;
    }
  }

  private refuseForbiddenKey(key: ConditionNode): void {
    if (key.kind === 'literal' && typeof key.value === 'string' && FORBIDDEN_PROPERTIES.has(key.value)) {
      throw new ConditionParseFailure(`property ${key.value} is not readable`, key.start);
    }
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private isPunctuation(value: string): boolean {
    const token = this.peek();
    return token.type === 'punctuation' && token.value === value;
  }

  private expectPunctuation(value: string): void {
    const token = this.next();
    if (token.type !== 'punctuation' || token.value !== value) {
      throw new ConditionParseFailure(`expected ${JSON.stringify(value)} but found ${describe(token)}`, token.start);
    }
  }

  private unexpected(token: Token): ConditionParseFailure {
    return new ConditionParseFailure(`unexpected ${describe(token)}`, token.start);
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'end of condition';
    case 'element':
      return '#';
    case 'placeholder':
      return `{{args.${token.argument}}}`;
    case 'number':
      return String(token.value);
    case 'string':
    case 'name':
    case 'punctuation':
      return JSON.stringify(token.value);
  }
}
