import { TEMPLATE_FUNCTIONS } from './functions.js';
import { GO_TIME_LAYOUTS, formatGoTime, GoTime } from './go-time.js';
import type { Command, Operand, Pipeline, TemplateNode } from './syntax-tree.js';
import { TemplateRenderError } from './template-error.js';
import { goTypeName, GoFunction, isMap, isTrue, NO_VALUE, printValue, TemplateFailure } from './values.js';

const MAX_OUTPUT_LENGTH = 1_000_000;
const MAX_RANGE_ITERATIONS = 100_000;

/** How `{{break}}` and `{{continue}}` leave the body of a range. */
class LoopSignal extends Error {
  constructor(readonly kind: 'break' | 'continue') {
    super(`{{${kind}}}`);
  }
}

/** Variables in scope, innermost last; `$` is the data the template was executed with. */
type Variables = Array<[string, unknown]>;

/** Executes a parsed template over `data` as Go's `text/template` does. Throws {@link TemplateRenderError}. */
export function executeTemplate(nodes: readonly TemplateNode[], data: unknown): string {
  const state = new ExecutionState([['$', data]]);
  state.walkList(nodes, data);
  return state.output;
}

class ExecutionState {
  output = '';
  private iterations = 0;

  constructor(private readonly variables: Variables) {}

  walkList(nodes: readonly TemplateNode[], dot: unknown): void {
    const mark = this.variables.length;
    for (const node of nodes) this.walk(node, dot);
    this.variables.length = mark;
  }

  private walk(node: TemplateNode, dot: unknown): void {
    switch (node.kind) {
      case 'text':
        this.write(node.text);
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipeline);
        if (node.pipeline.variables.length === 0) this.write(printValue(value));
        return;
      }
      case 'if':
      case 'with':
        for (const branch of node.branches) {
          const mark = this.variables.length;
          const value = this.evalPipeline(dot, branch.pipeline);
          if (isTrue(value)) {
            this.walkList(branch.body, node.kind === 'with' ? value : dot);
            this.variables.length = mark;
            return;
          }
          this.variables.length = mark;
        }
        if (node.otherwise) this.walkList(node.otherwise, dot);
        return;
      case 'range':
        this.walkRange(node, dot);
        return;
      case 'break':
      case 'continue':
        throw new LoopSignal(node.kind);
    }
  }

  private walkRange(node: Extract<TemplateNode, { kind: 'range' }>, dot: unknown): void {
    const mark = this.variables.length;
    const { variables, commands, position } = node.pipeline;
    const collection = this.evalPipeline(dot, { ...node.pipeline, variables: [], mode: 'none', commands });
    const entries = this.rangeEntries(collection, position);
    for (const [key, element] of entries) {
      if (++this.iterations > MAX_RANGE_ITERATIONS)
        throw new TemplateRenderError(`more than ${MAX_RANGE_ITERATIONS} range iterations`, position);
      const [first, second] = variables;
      if (second !== undefined && first !== undefined) this.variables.push([first, key], [second, element]);
      else if (first !== undefined) this.variables.push([first, element]);
      try {
        this.walkList(node.body, element);
      } catch (signal) {
        if (!(signal instanceof LoopSignal)) throw signal;
        if (signal.kind === 'break') break;
      } finally {
        this.variables.length = mark;
      }
    }
    if (entries.length === 0 && node.otherwise) this.walkList(node.otherwise, dot);
  }

  private rangeEntries(collection: unknown, position: number): Array<[unknown, unknown]> {
    if (collection === NO_VALUE) return [];
    if (Array.isArray(collection)) return collection.map((element, index) => [index, element as unknown]);
    if (isMap(collection))
      return Object.keys(collection)
        .sort()
        .map((key) => [key, collection[key]]);
    if (typeof collection === 'number' && Number.isInteger(collection))
      return Array.from({ length: Math.max(0, Math.min(collection, MAX_RANGE_ITERATIONS + 1)) }, (_, index) => [index, index]);
    throw new TemplateRenderError(`range can't iterate over ${printValue(collection)}`, position);
  }

  private write(text: string): void {
    this.output += text;
    if (this.output.length > MAX_OUTPUT_LENGTH) throw new TemplateRenderError(`output longer than ${MAX_OUTPUT_LENGTH} characters`, 0);
  }

  private evalPipeline(dot: unknown, pipeline: Pipeline): unknown {
    let value: unknown = undefined;
    let piped = false;
    for (const command of pipeline.commands) {
      value = this.evalCommand(dot, command, piped ? { value } : undefined);
      piped = true;
    }
    for (const name of pipeline.variables) {
      if (pipeline.mode === 'declare') {
        this.variables.push([name, value]);
        continue;
      }
      const slot = this.findVariable(name, pipeline.position);
      slot[1] = value;
    }
    return value;
  }

  private findVariable(name: string, position: number): [string, unknown] {
    for (let index = this.variables.length - 1; index >= 0; index--) {
      const slot = this.variables[index];
      if (slot?.[0] === name) return slot;
    }
    throw new TemplateRenderError(`undefined variable: ${name}`, position);
  }

  private evalCommand(dot: unknown, command: Command, final: { value: unknown } | undefined): unknown {
    const [first, ...rest] = command.operands;
    if (first === undefined) throw new TemplateRenderError('missing value for command', command.position);
    try {
      switch (first.kind) {
        case 'field':
          return this.evalChain(dot, first.names, rest, final, dot, first.position);
        case 'variable':
          return this.evalChain(this.findVariable(first.name, first.position)[1], first.names, rest, final, dot, first.position);
        case 'group':
          if (first.names.length === 0) return this.noArguments(this.evalPipeline(dot, first.pipeline), rest, final, first);
          return this.evalChain(this.evalPipeline(dot, first.pipeline), first.names, rest, final, dot, first.position);
        case 'function':
          return this.evalFunction(first.name, rest, final, dot);
        case 'dot':
          return this.noArguments(dot, rest, final, first);
        case 'literal':
          return this.noArguments(first.value, rest, final, first);
      }
    } catch (failure) {
      if (failure instanceof TemplateFailure) throw new TemplateRenderError(failure.message, first.position);
      throw failure;
    }
  }

  private noArguments(value: unknown, rest: Operand[], final: { value: unknown } | undefined, operand: Operand): unknown {
    if (rest.length > 0 || final)
      throw new TemplateRenderError(`can't give argument to non-function ${describeOperand(operand)}`, operand.position);
    return value;
  }

  /** `.a.b c d`: reads each field in turn; the last one may be a method that takes the arguments. */
  private evalChain(
    receiver: unknown,
    names: string[],
    rest: Operand[],
    final: { value: unknown } | undefined,
    dot: unknown,
    position: number,
  ): unknown {
    let current = receiver;
    names.forEach((name, index) => {
      const last = index === names.length - 1;
      const args = last ? [...rest.map((operand) => this.evalArgument(dot, operand)), ...(final ? [final.value] : [])] : [];
      current = readField(current, name, args, last && (rest.length > 0 || final !== undefined));
    });
    if (names.length === 0 && (rest.length > 0 || final)) throw new TemplateRenderError(`can't give argument to non-function`, position);
    return current;
  }

  private evalArgument(dot: unknown, operand: Operand): unknown {
    switch (operand.kind) {
      case 'field':
        return this.evalChain(dot, operand.names, [], undefined, dot, operand.position);
      case 'variable':
        return this.evalChain(this.findVariable(operand.name, operand.position)[1], operand.names, [], undefined, dot, operand.position);
      case 'group':
        return this.evalChain(this.evalPipeline(dot, operand.pipeline), operand.names, [], undefined, dot, operand.position);
      case 'function':
        return this.evalFunction(operand.name, [], undefined, dot);
      case 'dot':
        return dot;
      case 'literal':
        return operand.value;
    }
  }

  private evalFunction(name: string, rest: Operand[], final: { value: unknown } | undefined, dot: unknown): unknown {
    if (name === 'and' || name === 'or') {
      const operands: Array<() => unknown> = [
        ...rest.map((operand) => () => this.evalArgument(dot, operand)),
        ...(final ? [() => final.value] : []),
      ];
      if (operands.length === 0) throw new TemplateFailure(`wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown = undefined;
      for (const operand of operands) {
        value = operand();
        if (isTrue(value) === (name === 'or')) return value;
      }
      return value;
    }
    const definition = TEMPLATE_FUNCTIONS[name];
    if (definition === undefined) throw new TemplateFailure(`function "${name}" not defined`);
    const args = [...rest.map((operand) => this.evalArgument(dot, operand)), ...(final ? [final.value] : [])];
    const [minimum, maximum] = definition.arity;
    if (args.length < minimum || args.length > maximum)
      throw new TemplateFailure(
        `wrong number of args for ${name}: want ${minimum === maximum ? minimum : `${minimum} or more`} got ${args.length}`,
      );
    return definition.apply(args);
  }
}

function describeOperand(operand: Operand): string {
  return operand.kind === 'literal' ? printValue(operand.value) : operand.kind;
}

/** Go's field evaluation over decoded JSON: a missing key is no value, a field of nil is an error. */
function readField(receiver: unknown, name: string, args: unknown[], invoked: boolean): unknown {
  if (receiver instanceof GoTime) return timeMethod(receiver, name, args);
  if (receiver === NO_VALUE) return NO_VALUE;
  if (receiver === null || receiver === undefined) throw new TemplateFailure(`nil pointer evaluating interface {}.${name}`);
  if (isMap(receiver)) {
    if (invoked) throw new TemplateFailure(`${name} is not a method but has arguments`);
    return Object.hasOwn(receiver, name) ? receiver[name] : NO_VALUE;
  }
  throw new TemplateFailure(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
}

function timeMethod(time: GoTime, name: string, args: unknown[]): unknown {
  const want = (count: number): void => {
    if (args.length !== count) throw new TemplateFailure(`wrong number of args for ${name}: want ${count} got ${args.length}`);
  };
  switch (name) {
    case 'Format': {
      want(1);
      const [layout] = args;
      if (typeof layout !== 'string') throw new TemplateFailure(`wrong type for value; expected string; got ${goTypeName(layout)}`);
      return formatGoTime(time.date, layout);
    }
    case 'Unix':
      want(0);
      return Math.floor(time.date.getTime() / 1000);
    case 'UnixMilli':
      want(0);
      return time.date.getTime();
    case 'UTC':
    case 'Local':
      want(0);
      return time;
    case 'String':
      want(0);
      return time.toString();
    default:
      throw new TemplateFailure(`can't evaluate field ${name} in type time.Time`);
  }
}

/** `.time`: `call .time.Now`, `call .time.Parse "2026-12-05T08:00:00Z"`, `.time.RFC3339`. */
export function timeFunctions(now: Date): Record<string, unknown> {
  return {
    ...GO_TIME_LAYOUTS,
    Now: new GoFunction('Now', 0, () => new GoTime(now)),
    Parse: new GoFunction('Parse', 1, ([text]) => {
      const parsed =
        typeof text === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)
          ? new Date(text)
          : undefined;
      if (parsed === undefined || Number.isNaN(parsed.getTime()))
        throw new TemplateFailure(`error calling call: parsing time ${JSON.stringify(printValue(text))} as "2006-01-02T15:04:05Z07:00"`);
      return new GoTime(parsed);
    }),
  };
}

/** `.strings`: `call .strings.ReplaceAll .x "-" "_"`, `call .strings.ToUpper .x`, `call .strings.ToLower .x`. */
export const STRING_FUNCTIONS: Readonly<Record<string, unknown>> = {
  ReplaceAll: new GoFunction('ReplaceAll', 3, ([text, old, replacement]) =>
    asString(text).replaceAll(asString(old), asString(replacement)),
  ),
  ToUpper: new GoFunction('ToUpper', 1, ([text]) => asString(text).toUpperCase()),
  ToLower: new GoFunction('ToLower', 1, ([text]) => asString(text).toLowerCase()),
  TrimSpace: new GoFunction('TrimSpace', 1, ([text]) => asString(text).trim()),
  HasPrefix: new GoFunction('HasPrefix', 2, ([text, prefix]) => asString(text).startsWith(asString(prefix))),
  Contains: new GoFunction('Contains', 2, ([text, part]) => asString(text).includes(asString(part))),
};

function asString(value: unknown): string {
  if (typeof value !== 'string') throw new TemplateFailure(`error calling call: arg has type ${goTypeName(value)}; should be string`);
  return value;
}
