import { ConditionParseFailure, tokenize, type Token } from './lexer.js';
import type { BinaryOperator, CallArgument, ClosureNode, ConditionNode } from './syntax-tree.js';
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
  operator: BinaryOperator;
  precedence: number;
  rightAssociative: boolean;
  tokens: number;
}

// Precedences follow expr-lang, so `not a == b` reads `(not a) == b` exactly as in Argo.
const BINARY_PRECEDENCE: ReadonlyMap<string, number> = new Map([
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
  ['contains', 20],
  ['startsWith', 20],
  ['endsWith', 20],
  ['+', 30],
  ['-', 30],
  ['*', 60],
  ['/', 60],
  ['%', 60],
  ['**', 100],
  ['??', 500],
]);
const OPERATOR_ALIASES: ReadonlyMap<string, BinaryOperator> = new Map([
  ['||', 'or'],
  ['&&', 'and'],
]);
const UNARY_PRECEDENCE = { not: 50, sign: 90 } as const;
const NOT_PRECEDENCE = 20;
const UNSUPPORTED_OPERATORS = new Set(['matches']);
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
      const right = this.parseExpression(rule.rightAssociative ? rule.precedence : rule.precedence + 1);
      left = { kind: 'binary', operator: rule.operator, left, right, start };
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
    if (UNSUPPORTED_OPERATORS.has(text)) throw new ConditionParseFailure(`operator ${text} is not supported`, token.start);
    if (text === 'not') {
      const following = this.tokens[this.index + 1];
      if (following?.type === 'name' && following.value === 'in') {
        return { operator: 'not in', precedence: NOT_PRECEDENCE, rightAssociative: false, tokens: 2 };
      }
      return undefined;
    }
    const precedence = BINARY_PRECEDENCE.get(text);
    if (precedence === undefined) return undefined;
    const operator = OPERATOR_ALIASES.get(text) ?? (text as BinaryOperator);
    return { operator, precedence, rightAssociative: text === '**', tokens: 1 };
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
    if (this.isPunctuation('(')) return this.parseCall(name, start);
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
    if (value === '{') throw new ConditionParseFailure('a closure {…} is only allowed as a function argument', start);
    throw new ConditionParseFailure(`unexpected ${JSON.stringify(value)}`, start);
  }

  private parseCall(name: string, start: number): ConditionNode {
    const signature = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (!signature) throw new ConditionParseFailure(`unknown function ${name}`, start, 'unknown-function');
    this.expectPunctuation('(');
    const args: CallArgument[] = [];
    while (!this.isPunctuation(')')) {
      const argumentStart = this.peek().start;
      const wantsClosure = signature.closureParameter === args.length;
      if (this.isPunctuation('{') !== wantsClosure) {
        const reason = wantsClosure
          ? `argument ${args.length + 1} of ${name} must be a closure such as {# > 0}`
          : `${name} takes no closure here`;
        throw new ConditionParseFailure(reason, argumentStart);
      }
      args.push(wantsClosure ? this.parseClosure() : this.parseExpression(0));
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

  private parseClosure(): ClosureNode {
    const start = this.next().start;
    this.closureDepth += 1;
    const body = this.parseExpression(0);
    this.closureDepth -= 1;
    this.expectPunctuation('}');
    return { kind: 'closure', body, start };
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
    case 'string':
    case 'name':
    case 'punctuation':
      return JSON.stringify(token.value);
  }
}
