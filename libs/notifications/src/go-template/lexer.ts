import { TemplateSyntaxError } from './template-error.js';

export type Segment = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; position: number };

export type Token =
  /** `attached`: written right after the previous operand (`$c.name`, `(call .time.Now).Unix`), so it reads a field of it. */
  | { type: 'field'; name: string; attached: boolean; position: number }
  | { type: 'dot'; position: number }
  | { type: 'variable'; name: string; position: number }
  | { type: 'identifier'; name: string; position: number }
  | { type: 'string'; value: string; position: number }
  | { type: 'number'; value: number; position: number }
  | { type: 'punctuation'; value: '(' | ')' | '|' | ':=' | '=' | ','; position: number };

const OPEN = '{{';
const CLOSE = '}}';
const SPACE = /[ \t\r\n]/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/;
const MAX_TEMPLATE_LENGTH = 65_536;

/**
 * Splits a template into text and actions, applying Go's trim markers: `{{- ` drops the white space before the
 * action, ` -}}` the white space after it; `{{/* … *\/}}` is a comment.
 */
export function scanTemplate(source: string): Segment[] {
  if (source.length > MAX_TEMPLATE_LENGTH) throw new TemplateSyntaxError(`template longer than ${MAX_TEMPLATE_LENGTH} characters`, 0);
  const segments: Segment[] = [];
  let position = 0;
  let trimNextText = false;
  while (position < source.length) {
    const open = source.indexOf(OPEN, position);
    let text = source.slice(position, open === -1 ? source.length : open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      pushText(segments, text);
      break;
    }
    let inner = open + OPEN.length;
    if (source[inner] === '-' && SPACE.test(source[inner + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 1;
    }
    pushText(segments, text);
    const end = findActionEnd(source, inner);
    let close = end;
    trimNextText = false;
    if (source[end - 1] === '-' && SPACE.test(source[end - 2] ?? '')) {
      close = end - 1;
      trimNextText = true;
    }
    const body = source.slice(inner, close);
    if (!/^\s*\/\*[\s\S]*\*\/\s*$/.test(body)) segments.push({ kind: 'action', tokens: tokenize(body, inner), position: open });
    position = end + CLOSE.length;
  }
  return segments;
}

function pushText(segments: Segment[], text: string): void {
  if (text !== '') segments.push({ kind: 'text', text });
}

/** The offset of the `}}` closing the action that starts at `from`, skipping quoted strings. */
function findActionEnd(source: string, from: number): number {
  let position = from;
  while (position < source.length) {
    const character = source[position];
    if (character === '"' || character === '`' || character === "'") {
      position = skipQuoted(source, position);
      continue;
    }
    if (source.startsWith('/*', position)) {
      const end = source.indexOf('*/', position + 2);
      if (end === -1) throw new TemplateSyntaxError('unclosed comment', position);
      position = end + 2;
      continue;
    }
    if (source.startsWith(CLOSE, position)) return position;
    position += 1;
  }
  throw new TemplateSyntaxError('unclosed action', from - OPEN.length);
}

function skipQuoted(source: string, start: number): number {
  const quote = source[start];
  let position = start + 1;
  while (position < source.length) {
    const character = source[position];
    if (character === '\\' && quote !== '`') position += 2;
    else if (character === quote) return position + 1;
    else if (character === '\n' && quote !== '`') break;
    else position += 1;
  }
  throw new TemplateSyntaxError('unterminated quoted string', start);
}

function tokenize(body: string, offset: number): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < body.length) {
    const character = body[index] ?? '';
    const position = offset + index;
    const rest = body.slice(index);
    if (SPACE.test(character)) {
      index += 1;
    } else if (character === '"' || character === '`') {
      const end = skipQuoted(body, index);
      tokens.push({ type: 'string', value: unquote(body.slice(index, end), position), position });
      index = end;
    } else if (character === "'") {
      throw new TemplateSyntaxError('character constants are not supported: use a "string"', position);
    } else if (character === '.' && IDENTIFIER.test(rest.slice(1))) {
      const name = IDENTIFIER.exec(rest.slice(1))?.[0] ?? '';
      const previous = body[index - 1];
      const attached = previous !== undefined && !SPACE.test(previous) && !'(|,='.includes(previous);
      tokens.push({ type: 'field', name, attached, position });
      index += 1 + name.length;
    } else if (character === '$') {
      const name = IDENTIFIER.exec(rest.slice(1))?.[0] ?? '';
      tokens.push({ type: 'variable', name: `$${name}`, position });
      index += 1 + name.length;
    } else if (/[0-9]/.test(character) || (/[+\-.]/.test(character) && /[0-9]/.test(body[index + 1] ?? ''))) {
      const literal = NUMBER.exec(rest)?.[0] ?? '';
      const value = Number(literal.replaceAll('_', ''));
      if (Number.isNaN(value)) throw new TemplateSyntaxError(`bad number syntax: ${JSON.stringify(literal)}`, position);
      tokens.push({ type: 'number', value, position });
      index += literal.length;
    } else if (character === '.') {
      tokens.push({ type: 'dot', position });
      index += 1;
    } else if (IDENTIFIER.test(rest)) {
      const name = IDENTIFIER.exec(rest)?.[0] ?? '';
      tokens.push({ type: 'identifier', name, position });
      index += name.length;
    } else if (rest.startsWith(':=')) {
      tokens.push({ type: 'punctuation', value: ':=', position });
      index += 2;
    } else if ('()|=,'.includes(character)) {
      tokens.push({ type: 'punctuation', value: character as '(' | ')' | '|' | '=' | ',', position });
      index += 1;
    } else {
      throw new TemplateSyntaxError(`unexpected ${JSON.stringify(character)} in action`, position);
    }
  }
  return tokens;
}

function unquote(quoted: string, position: number): string {
  if (quoted.startsWith('`')) return quoted.slice(1, -1);
  try {
    // Go's escapes that JSON lacks: \a \v \' \x.. and octal; JSON reads the rest the same way.
    const normalised = quoted
      .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
      .replace(/\\a/g, '\\u0007')
      .replace(/\\v/g, '\\u000b');
    return JSON.parse(normalised) as string;
  } catch {
    throw new TemplateSyntaxError(`bad string ${quoted}`, position);
  }
}
