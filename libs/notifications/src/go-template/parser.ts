import { LAZY_FUNCTIONS, TEMPLATE_FUNCTIONS } from './functions.js';
import { scanTemplate, type Token } from './lexer.js';
import type { Command, ConditionalBranch, Operand, Pipeline, TemplateNode } from './syntax-tree.js';
import { TemplateSyntaxError } from './template-error.js';

const UNSUPPORTED_KEYWORDS = new Set(['define', 'template', 'block']);
const MAX_DEPTH = 64;

type Terminator = 'end' | 'else' | 'eof';

interface Block {
  nodes: TemplateNode[];
  terminator: Terminator;
  /** For `else`: the tokens after it (`if …`, `with …` or nothing). */
  elseTokens: Token[];
  position: number;
}

/**
 * Parses a Go `text/template` into its syntax tree: text, actions, `if`/`else if`/`else`, `range` (with `$i, $v :=`,
 * `break`, `continue`), `with`, variables, pipelines and the functions of {@link TEMPLATE_FUNCTIONS}. `define`,
 * `template`, `block` and unknown functions are refused.
 * @example parseTemplate('Rollout {{.rollout.metadata.name}} has been completed.') // text, action, text
 */
export function parseTemplate(source: string): TemplateNode[] {
  const segments = scanTemplate(source);
  let cursor = 0;
  let rangeDepth = 0;
  /** Variables declared so far and still in scope, as Go scopes them: until the end of the enclosing block. */
  const scope: string[] = ['$'];
  const pipelineOf = (tokens: Token[], position: number): Pipeline => parsePipeline(tokens, position, scope);

  const parseBlock = (depth: number): Block => {
    if (depth > MAX_DEPTH) throw new TemplateSyntaxError(`actions nested deeper than ${MAX_DEPTH}`, 0);
    const nodes: TemplateNode[] = [];
    const mark = scope.length;
    const close = (terminator: Terminator, elseTokens: Token[], position: number): Block => {
      scope.length = mark;
      return { nodes, terminator, elseTokens, position };
    };
    while (cursor < segments.length) {
      const segment = segments[cursor++];
      if (segment === undefined) break;
      if (segment.kind === 'text') {
        nodes.push({ kind: 'text', text: segment.text });
        continue;
      }
      const [first, ...rest] = segment.tokens;
      if (first === undefined) throw new TemplateSyntaxError('missing value for command', segment.position);
      const keyword = first.type === 'identifier' ? first.name : undefined;
      switch (keyword) {
        case 'end':
          expectNothing(rest, 'end');
          return close('end', [], segment.position);
        case 'else':
          return close('else', rest, segment.position);
        case 'if':
        case 'with':
          nodes.push(parseConditional(keyword, rest, segment.position, depth));
          break;
        case 'range':
          nodes.push(parseRange(rest, segment.position, depth));
          break;
        case 'break':
        case 'continue':
          expectNothing(rest, keyword);
          if (rangeDepth === 0) throw new TemplateSyntaxError(`{{${keyword}}} outside {{range}}`, segment.position);
          nodes.push({ kind: keyword, position: segment.position });
          break;
        default:
          if (keyword !== undefined && UNSUPPORTED_KEYWORDS.has(keyword))
            throw new TemplateSyntaxError(`{{${keyword}}} is not supported in notification templates`, segment.position);
          nodes.push({ kind: 'action', pipeline: pipelineOf(segment.tokens, segment.position), position: segment.position });
      }
    }
    return { nodes, terminator: 'eof', elseTokens: [], position: source.length };
  };

  const parseConditional = (keyword: 'if' | 'with', tokens: Token[], position: number, depth: number): TemplateNode => {
    const branches: ConditionalBranch[] = [];
    const mark = scope.length;
    let pipeline = pipelineOf(tokens, position);
    let branchPosition = position;
    for (;;) {
      const block = parseBlock(depth + 1);
      branches.push({ pipeline, body: block.nodes, position: branchPosition });
      if (block.terminator === 'eof') throw new TemplateSyntaxError(`unexpected EOF: {{${keyword}}} has no {{end}}`, position);
      if (block.terminator === 'end') {
        scope.length = mark;
        return { kind: keyword, branches, otherwise: undefined };
      }
      const [next, ...rest] = block.elseTokens;
      if (next === undefined) {
        const otherwise = parseBlock(depth + 1);
        if (otherwise.terminator !== 'end') throw new TemplateSyntaxError(`{{else}} of {{${keyword}}} has no {{end}}`, block.position);
        scope.length = mark;
        return { kind: keyword, branches, otherwise: otherwise.nodes };
      }
      if (next.type !== 'identifier' || next.name !== keyword)
        throw new TemplateSyntaxError(`unexpected ${describe(next)} after {{else}} of {{${keyword}}}`, next.position);
      pipeline = pipelineOf(rest, block.position);
      branchPosition = block.position;
    }
  };

  const parseRange = (tokens: Token[], position: number, depth: number): TemplateNode => {
    const mark = scope.length;
    const pipeline = pipelineOf(tokens, position);
    if (pipeline.mode === 'assign') throw new TemplateSyntaxError('range can only declare variables with :=', position);
    if (pipeline.variables.length > 2) throw new TemplateSyntaxError('range can only initialize 2 variables', position);
    rangeDepth += 1;
    const body = parseBlock(depth + 1);
    rangeDepth -= 1;
    if (body.terminator === 'eof') throw new TemplateSyntaxError('unexpected EOF: {{range}} has no {{end}}', position);
    if (body.terminator === 'end') {
      scope.length = mark;
      return { kind: 'range', pipeline, body: body.nodes, otherwise: undefined, position };
    }
    if (body.elseTokens.length > 0) throw new TemplateSyntaxError('unexpected tokens after {{else}} of {{range}}', body.position);
    const otherwise = parseBlock(depth + 1);
    if (otherwise.terminator !== 'end') throw new TemplateSyntaxError('{{else}} of {{range}} has no {{end}}', body.position);
    scope.length = mark;
    return { kind: 'range', pipeline, body: body.nodes, otherwise: otherwise.nodes, position };
  };

  const top = parseBlock(0);
  if (top.terminator !== 'eof') throw new TemplateSyntaxError(`unexpected {{${top.terminator}}}`, top.position);
  return top.nodes;
}

function expectNothing(tokens: Token[], keyword: string): void {
  const [extra] = tokens;
  if (extra !== undefined) throw new TemplateSyntaxError(`unexpected ${describe(extra)} in {{${keyword}}}`, extra.position);
}

function describe(token: Token): string {
  switch (token.type) {
    case 'field':
      return `.${token.name}`;
    case 'dot':
      return '.';
    case 'variable':
    case 'identifier':
      return token.name;
    case 'string':
      return JSON.stringify(token.value);
    case 'number':
      return String(token.value);
    case 'punctuation':
      return JSON.stringify(token.value);
  }
}

/** Parses `[$a[, $b] (:=|=)] command [| command]…` from the whole token list; declared variables join `scope`. */
function parsePipeline(tokens: Token[], position: number, scope: string[]): Pipeline {
  const reader = new TokenReader(tokens, position, scope);
  const pipeline = readPipeline(reader);
  const extra = reader.peek();
  if (extra !== undefined) throw new TemplateSyntaxError(`unexpected ${describe(extra)} in operand`, extra.position);
  return pipeline;
}

class TokenReader {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    readonly position: number,
    readonly scope: string[],
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  next(): Token | undefined {
    return this.tokens[this.index++];
  }

  isPunctuation(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === 'punctuation' && token.value === value;
  }
}

function readPipeline(reader: TokenReader): Pipeline {
  const start = reader.peek()?.position ?? reader.position;
  const variables: string[] = [];
  let mode: Pipeline['mode'] = 'none';
  const declaresOne = reader.peek()?.type === 'variable' && (reader.isPunctuation(':=', 1) || reader.isPunctuation('=', 1));
  const declaresTwo =
    reader.peek()?.type === 'variable' &&
    reader.isPunctuation(',', 1) &&
    reader.peek(2)?.type === 'variable' &&
    reader.isPunctuation(':=', 3);
  if (declaresOne || declaresTwo) {
    for (;;) {
      const variable = reader.next();
      if (variable?.type === 'variable') variables.push(variable.name);
      const punctuation = reader.next();
      if (punctuation?.type !== 'punctuation' || punctuation.value === ',') continue;
      mode = punctuation.value === ':=' ? 'declare' : 'assign';
      break;
    }
  }
  const commands: Command[] = [];
  for (;;) {
    commands.push(readCommand(reader));
    if (!reader.isPunctuation('|')) break;
    reader.next();
  }
  for (const variable of variables) {
    if (mode === 'declare') reader.scope.push(variable);
    else if (!reader.scope.includes(variable)) throw new TemplateSyntaxError(`undefined variable "${variable}"`, start);
  }
  return { variables, mode, commands, position: start };
}

function readCommand(reader: TokenReader): Command {
  const operands: Operand[] = [];
  const position = reader.peek()?.position ?? reader.position;
  for (;;) {
    const token = reader.peek();
    if (token === undefined || (token.type === 'punctuation' && (token.value === '|' || token.value === ')'))) break;
    operands.push(readOperand(reader));
  }
  if (operands.length === 0) throw new TemplateSyntaxError('missing value for command', position);
  return { operands, position };
}

function readOperand(reader: TokenReader): Operand {
  const token = reader.next();
  if (token === undefined) throw new TemplateSyntaxError('missing value for command', reader.position);
  const position = token.position;
  switch (token.type) {
    case 'field':
      if (token.attached) throw new TemplateSyntaxError(`unexpected .${token.name} in operand`, position);
      return { kind: 'field', names: [token.name, ...readAttachedFields(reader)], position };
    case 'dot':
      return { kind: 'dot', position };
    case 'variable':
      if (!reader.scope.includes(token.name)) throw new TemplateSyntaxError(`undefined variable "${token.name}"`, position);
      return { kind: 'variable', name: token.name, names: readAttachedFields(reader), position };
    case 'string':
    case 'number':
      return { kind: 'literal', value: token.value, position };
    case 'identifier':
      return readIdentifier(token.name, position);
    case 'punctuation':
      if (token.value !== '(') throw new TemplateSyntaxError(`unexpected ${describe(token)} in operand`, position);
      return readGroup(reader, position);
  }
}

function readIdentifier(name: string, position: number): Operand {
  if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', position };
  if (name === 'nil') return { kind: 'literal', value: null, position };
  if (!Object.hasOwn(TEMPLATE_FUNCTIONS, name) && !LAZY_FUNCTIONS.has(name))
    throw new TemplateSyntaxError(`function "${name}" not defined (notification templates support: ${SUPPORTED_FUNCTIONS})`, position);
  return { kind: 'function', name, position };
}

const SUPPORTED_FUNCTIONS = [...LAZY_FUNCTIONS, ...Object.keys(TEMPLATE_FUNCTIONS)].sort().join(', ');

function readGroup(reader: TokenReader, position: number): Operand {
  const pipeline = readPipeline(reader);
  const close = reader.next();
  if (close?.type !== 'punctuation' || close.value !== ')') throw new TemplateSyntaxError('unclosed left paren', position);
  return { kind: 'group', pipeline, names: readAttachedFields(reader), position };
}

function readAttachedFields(reader: TokenReader): string[] {
  const names: string[] = [];
  for (let token = reader.peek(); token?.type === 'field' && token.attached; token = reader.peek()) {
    names.push(token.name);
    reader.next();
  }
  return names;
}
