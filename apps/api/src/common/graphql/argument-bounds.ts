import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldProblem } from '@flotilla/service-runtime';
import { fieldDefinition, fragmentType } from './operation-cost.js';

export interface ArgumentBounds {
  maxListEntries: number;
  maxStringLength: number;
}

/** Lists bounded tighter than the rest, by input coordinate. */
const LIST_BOUNDS: Readonly<Record<string, number>> = { 'RolloutFilter.labels': 64 };
/** Strings bounded by the request size alone. */
const UNBOUNDED_STRINGS = new Set(['Mutation.applyManifests.yaml']);
/** JSON arguments (such as cluster labels) nest no deeper than this. */
const MAX_JSON_DEPTH = 16;
/** The first problems are enough to explain a refusal; a list of 50,000 bad entries would not be read. */
const MAX_PROBLEMS = 10;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(value: string, maxLength: number | undefined): string | undefined {
  if (maxLength !== undefined && value.length > maxLength) return `must be at most ${maxLength} characters long`;
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds a lone surrogate)';
  return undefined;
}

/** Keeps the first MAX_PROBLEMS problems it is told of. */
function reportTo(problems: FieldProblem[], path: string, message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push({ path, message });
}

/**
 * Checks every argument of an operation, literal or variable, against the bounds before anything runs: list
 * lengths, string lengths, NUL characters and lone surrogates (neither of which Postgres can store), and the size of
 * JSON values. Returns the problems, each named by its argument path such as `rollouts.filter.labels`. Each fragment
 * is checked once, however often it is spread, and its problems named again under each path it is spread at.
 */
export function findArgumentProblems(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Record<string, unknown>,
  bounds: ArgumentBounds,
): FieldProblem[] {
  const checkJson = (problems: FieldProblem[], value: unknown, path: string, depth: number): void => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (typeof value === 'string') {
      const problem = stringProblem(value, bounds.maxStringLength);
      if (problem) reportTo(problems, path, problem);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (depth > MAX_JSON_DEPTH) return reportTo(problems, path, `must not nest deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(value)) {
      if (value.length > bounds.maxListEntries) return reportTo(problems, path, `must have at most ${bounds.maxListEntries} entries`);
      value.forEach((item, index) => checkJson(problems, item, `${path}[${index}]`, depth + 1));
      return;
    }
    const keys = Object.keys(value);
    if (keys.length > bounds.maxListEntries) return reportTo(problems, path, `must have at most ${bounds.maxListEntries} keys`);
    for (const key of keys) {
      const keyProblem = stringProblem(key, bounds.maxStringLength);
      if (keyProblem) reportTo(problems, path, `a key ${keyProblem}`);
      checkJson(problems, (value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    }
  };

  const check = (problems: FieldProblem[], type: GraphQLInputType, value: unknown, path: string, coordinate: string): void => {
    if (problems.length >= MAX_PROBLEMS || value === null || value === undefined) return;
    if (isNonNullType(type)) return check(problems, type.ofType, value, path, coordinate);
    if (isListType(type)) {
      if (!Array.isArray(value)) return check(problems, type.ofType, value, path, coordinate);
      const limit = LIST_BOUNDS[coordinate] ?? bounds.maxListEntries;
      if (value.length > limit) return reportTo(problems, path, `must have at most ${limit} entries`);
      value.forEach((item, index) => check(problems, type.ofType, item, `${path}[${index}]`, coordinate));
      return;
    }
    if (isInputObjectType(type)) {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      for (const [name, field] of Object.entries(type.getFields())) {
        check(problems, field.type, (value as Record<string, unknown>)[name], `${path}.${name}`, `${type.name}.${name}`);
      }
      return;
    }
    if (isScalarType(type) && type.name === 'JSON') return checkJson(problems, value, path, 0);
    if ((isScalarType(type) || isEnumType(type)) && typeof value === 'string') {
      const problem = stringProblem(value, UNBOUNDED_STRINGS.has(coordinate) ? undefined : bounds.maxStringLength);
      if (problem) reportTo(problems, path, problem);
    }
  };

  // A fragment spread inside itself is refused by validation; here it is checked once, not again within itself.
  const visiting = new Set<string>();
  const fragmentProblems = new Map<string, FieldProblem[]>();

  /** The problems of a fragment, with paths from where it is spread; a named fragment selects on its own type condition. */
  const problemsOfFragment = (fragment: FragmentDefinitionNode): FieldProblem[] => {
    const found = fragmentProblems.get(fragment.name.value);
    if (found) return found;
    const problems: FieldProblem[] = [];
    visiting.add(fragment.name.value);
    walk(problems, fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), '');
    visiting.delete(fragment.name.value);
    fragmentProblems.set(fragment.name.value, problems);
    return problems;
  };

  const walk = (problems: FieldProblem[], selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, path: string): void => {
    for (const selection of selectionSet.selections) {
      if (problems.length >= MAX_PROBLEMS) return;
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(parent, selection.name.value);
        const responseKey = `${path}${selection.alias?.value ?? selection.name.value}`;
        for (const argument of selection.arguments ?? []) {
          const argumentDefinition = definition?.args.find((candidate) => candidate.name === argument.name.value);
          if (!argumentDefinition) continue;
          const value = valueFromASTUntyped(argument.value, variables);
          check(
            problems,
            argumentDefinition.type,
            value,
            `${responseKey}.${argument.name.value}`,
            `${parent?.name}.${selection.name.value}.${argument.name.value}`,
          );
        }
        if (selection.selectionSet) {
          walk(problems, selection.selectionSet, definition ? getNamedType(definition.type) : undefined, `${responseKey}.`);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(problems, selection.selectionSet, fragmentType(schema, selection.typeCondition?.name.value, parent), path);
      } else {
        const fragment = fragments[selection.name.value];
        if (!fragment || visiting.has(fragment.name.value)) continue;
        for (const problem of problemsOfFragment(fragment)) reportTo(problems, `${path}${problem.path}`, problem.message);
      }
    }
  };

  const problems: FieldProblem[] = [];
  walk(problems, operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, '');
  return problems;
}
