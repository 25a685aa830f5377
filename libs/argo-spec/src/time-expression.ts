import { parseGoDuration } from './duration.js';

/**
 * The time expressions of a Prometheus `rangeQuery` (`start`, `end`), in the part of Argo's expression language
 * they are written in: `now()`, `date(text[, layout[, zone]])` and `duration(text)` combined with `+`, `-` and
 * parentheses. A time plus or minus a duration is a time; the difference of two times is a duration.
 */
export type TimeExpressionResult = { ok: true; time: Date } | { ok: false; error: string };

type Value = { kind: 'time'; ms: number } | { kind: 'duration'; ms: number };
type Token = { kind: 'name' | 'string'; text: string } | { kind: 'symbol'; text: '(' | ')' | ',' | '+' | '-' };

class TimeExpressionError extends Error {}

const fail = (message: string): never => {
  throw new TimeExpressionError(message);
};

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const character = source[position] as string;
    if (/\s/.test(character)) {
      position += 1;
    } else if (character === '(' || character === ')' || character === ',' || character === '+' || character === '-') {
      tokens.push({ kind: 'symbol', text: character });
      position += 1;
    } else if (character === '"' || character === "'" || character === '`') {
      const end = source.indexOf(character, position + 1);
      if (end < 0) fail(`unterminated string at position ${position}`);
      tokens.push({ kind: 'string', text: source.slice(position + 1, end) });
      position = end + 1;
    } else {
      const name =
        /^[A-Za-z_]\w*/.exec(source.slice(position))?.[0] ?? fail(`unexpected ${JSON.stringify(character)} at position ${position}`);
      tokens.push({ kind: 'name', text: name });
      position += name.length;
    }
  }
  return tokens;
}

/** Go layout elements and the pattern of the text each one stands for. */
const LAYOUT_ELEMENTS: readonly [string, string][] = [
  ['2006', '(?<year>\\d{4})'],
  ['Z07:00', '(?<zone>Z|[+-]\\d{2}:\\d{2})'],
  ['-07:00', '(?<zone>[+-]\\d{2}:\\d{2})'],
  ['-0700', '(?<zone>[+-]\\d{4})'],
  ['01', '(?<month>\\d{2})'],
  ['02', '(?<day>\\d{2})'],
  ['15', '(?<hour>\\d{2})'],
  ['04', '(?<minute>\\d{2})'],
  ['05', '(?<second>\\d{2}(?:\\.\\d+)?)'],
];
const LAYOUTS_WITHOUT_ARGUMENT = ['2006-01-02T15:04:05Z07:00', '2006-01-02 15:04:05', '2006-01-02'];

function layoutPattern(layout: string): RegExp {
  let pattern = '';
  for (let position = 0; position < layout.length;) {
    const element = LAYOUT_ELEMENTS.find(([text]) => layout.startsWith(text, position));
    pattern += element ? element[1] : (layout[position] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    position += element ? element[0].length : 1;
  }
  return new RegExp(`^${pattern}$`);
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `ms`, in milliseconds. */
function zoneOffsetMs(zone: string, ms: number): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return fail(`unknown time zone ${zone}`);
  }
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(format.formatToParts(ms).find((entry) => entry.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

function parseDate(text: string, layout: string | undefined, zone: string | undefined): number {
  for (const candidate of layout === undefined ? LAYOUTS_WITHOUT_ARGUMENT : [layout]) {
    const fields = layoutPattern(candidate).exec(text)?.groups;
    if (!fields) continue;
    const second = Number(fields['second'] ?? 0);
    const wall =
      Date.UTC(
        Number(fields['year'] ?? 0),
        Number(fields['month'] ?? 1) - 1,
        Number(fields['day'] ?? 1),
        Number(fields['hour'] ?? 0),
        Number(fields['minute'] ?? 0),
      ) +
      second * 1000;
    const written = fields['zone'];
    if (written !== undefined) {
      if (written === 'Z') return wall;
      const digits = written.replace(':', '');
      const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
      return digits.startsWith('-') ? wall + offset : wall - offset;
    }
    if (zone === undefined || zone === 'UTC') return wall;
    return wall - zoneOffsetMs(zone, wall - zoneOffsetMs(zone, wall));
  }
  return fail(`cannot parse ${JSON.stringify(text)} as a date${layout === undefined ? '' : ` with layout ${JSON.stringify(layout)}`}`);
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly now: Date,
  ) {}

  parse(): Value {
    const value = this.sum();
    if (this.position < this.tokens.length) fail(`unexpected ${JSON.stringify(this.tokens[this.position]?.text)}`);
    return value;
  }

  private next(): Token | undefined {
    const token = this.tokens[this.position];
    this.position += 1;
    return token;
  }

  private expect(symbol: Token['text']): void {
    const token = this.next();
    if (token?.kind !== 'symbol' || token.text !== symbol) fail(`expected ${JSON.stringify(symbol)}`);
  }

  private sum(): Value {
    let left = this.operand();
    for (
      let token = this.tokens[this.position];
      token?.kind === 'symbol' && (token.text === '+' || token.text === '-');
      token = this.tokens[this.position]
    ) {
      this.position += 1;
      left = combine(left, token.text, this.operand());
    }
    return left;
  }

  private operand(): Value {
    const token = this.next();
    if (token?.kind === 'symbol' && token.text === '(') {
      const inner = this.sum();
      this.expect(')');
      return inner;
    }
    if (token?.kind !== 'name') return fail(token ? `unexpected ${JSON.stringify(token.text)}` : 'unexpected end of expression');
    const text = this.callArguments();
    switch (token.text) {
      case 'now':
        if (text.length !== 0) fail('now() takes no arguments');
        return { kind: 'time', ms: this.now.getTime() };
      case 'duration': {
        if (text.length !== 1) fail('duration() takes one argument');
        const ms = parseGoDuration(text[0] as string);
        return ms === undefined ? fail(`time: invalid duration ${JSON.stringify(text[0])}`) : { kind: 'duration', ms };
      }
      case 'date':
        if (text.length < 1 || text.length > 3) fail('date() takes one to three arguments');
        return { kind: 'time', ms: parseDate(text[0] as string, text[1], text[2]) };
      default:
        return fail(`unknown function ${token.text}()`);
    }
  }

  private callArguments(): string[] {
    this.expect('(');
    const text: string[] = [];
    if (this.tokens[this.position]?.text === ')' && this.tokens[this.position]?.kind === 'symbol') {
      this.position += 1;
      return text;
    }
    for (;;) {
      const token = this.next();
      if (token?.kind !== 'string') fail('function arguments must be strings');
      text.push((token as Token).text);
      const separator = this.next();
      if (separator?.kind === 'symbol' && separator.text === ')') return text;
      if (separator?.kind !== 'symbol' || separator.text !== ',') fail('expected "," or ")"');
    }
  }
}

function combine(left: Value, operator: '+' | '-', right: Value): Value {
  if (left.kind === 'time' && right.kind === 'time') {
    if (operator === '+') fail('cannot add two times');
    return { kind: 'duration', ms: left.ms - right.ms };
  }
  if (operator === '-' && left.kind === 'duration' && right.kind === 'time') fail('cannot subtract a time from a duration');
  const kind = left.kind === 'time' || right.kind === 'time' ? 'time' : 'duration';
  return { kind, ms: operator === '+' ? left.ms + right.ms : left.ms - right.ms };
}

/**
 * Evaluates a time expression at `now`.
 * @example evaluateTimeExpression('now() - duration("1h")', new Date('2024-03-05T10:00:00Z')) // { ok: true, time: 2024-03-05T09:00:00Z }
 */
export function evaluateTimeExpression(source: string, now: Date): TimeExpressionResult {
  try {
    const value = new Parser(tokenize(source), now).parse();
    if (value.kind !== 'time') return { ok: false, error: 'expected a time, but got a duration' };
    return { ok: true, time: new Date(value.ms) };
  } catch (error) {
    if (error instanceof TimeExpressionError) return { ok: false, error: error.message };
    throw error;
  }
}
