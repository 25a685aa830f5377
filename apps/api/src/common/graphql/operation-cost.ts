import {
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { costOfField, type FieldCoordinate } from './field-costs.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

export interface OperationMeasure {
  /** Levels of nested fields: `{ a { b } }` is 2 deep. */
  depth: number;
  /** The sum of its fields' costs, what lies under a page multiplied by the page size. */
  price: number;
  /** Fields selected at the root, fragments spread. */
  rootFields: number;
  /** Aliased fields anywhere in the operation. */
  aliases: number;
  /** Fields allowed once per request that it asks for more often. */
  repeated: FieldCoordinate[];
}

/** The argument, a `PageInput`, by which a list field is paginated. */
const PAGE_ARGUMENT = 'page';

/**
 * How many items a field can serve: 1 unless it is paginated, else its `page.first`, written out or from a variable,
 * DEFAULT_PAGE_SIZE when not given, and within 1 to MAX_PAGE_SIZE (a list asked for more or fewer reads nothing).
 * @example `rollouts(page: $page)` with `{ page: { first: 500 } }` serves 500; `rollouts` alone serves 50.
 */
function servedItems(
  field: FieldNode,
  definition: GraphQLField<unknown, unknown> | undefined,
  variables: Readonly<Record<string, unknown>>,
): number {
  const pageArgument = definition?.args.find((argument) => argument.name === PAGE_ARGUMENT);
  if (!pageArgument) return 1;
  const given = field.arguments?.find((argument) => argument.name.value === PAGE_ARGUMENT);
  const page: unknown = given ? valueFromAST(given.value, pageArgument.type, variables) : pageArgument.defaultValue;
  const first: unknown = typeof page === 'object' && page !== null ? (page as { first?: unknown }).first : undefined;
  return typeof first === 'number' ? Math.min(Math.max(first, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
}

export function fieldDefinition(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
}

/** The selection's type condition, or its parent's type when it has none. */
export function fragmentType(
  schema: GraphQLSchema,
  typeCondition: string | undefined,
  parent: GraphQLNamedType | undefined,
): GraphQLNamedType | undefined {
  return typeCondition ? schema.getType(typeCondition) : parent;
}

/** What a selection set asks for, wherever it is placed: `depth` counts the levels of fields within it. */
interface SelectionMeasure {
  depth: number;
  price: number;
  rootFields: number;
  aliases: number;
  /** How often each field allowed once per request is asked for, in the order first asked. */
  oncePerRequest: ReadonlyMap<FieldCoordinate, number>;
}

const NOTHING: SelectionMeasure = { depth: 0, price: 0, rootFields: 0, aliases: 0, oncePerRequest: new Map() };

/** Counts and prices stop at the largest exact integer: a few kilobytes of fragments can ask for 2^60 fields or more. */
function capped(value: number): number {
  return Math.min(value, Number.MAX_SAFE_INTEGER);
}

function mergeCounts(
  first: ReadonlyMap<FieldCoordinate, number>,
  second: ReadonlyMap<FieldCoordinate, number>,
): ReadonlyMap<FieldCoordinate, number> {
  if (second.size === 0) return first;
  const merged = new Map(first);
  for (const [coordinate, count] of second) merged.set(coordinate, capped((merged.get(coordinate) ?? 0) + count));
  return merged;
}

/** Selections side by side: their prices and counts add up, the deepest sets the depth. */
function besides(first: SelectionMeasure, second: SelectionMeasure): SelectionMeasure {
  return {
    depth: Math.max(first.depth, second.depth),
    price: capped(first.price + second.price),
    rootFields: capped(first.rootFields + second.rootFields),
    aliases: capped(first.aliases + second.aliases),
    oncePerRequest: mergeCounts(first.oncePerRequest, second.oncePerRequest),
  };
}

/**
 * Prices an operation by the field-cost table: `{ rollouts(page: { first: 50 }) { nodes { id name } } }` costs
 * 20 for `rollouts` plus 50 × (1 for `nodes` + 1 + 1), that is 170, as does `{ rollouts { nodes { id name } } }`.
 * Fragments are priced where they are spread, each measured once (once at the root, once below it) however often it
 * is spread, so that the work stays linear in the document; `variables` are as the request sent them.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Record<string, unknown>,
): OperationMeasure {
  // Variables that do not fit their types get the operation refused before anything runs; its pages are then priced at the default size.
  const variableValues = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 }).coerced ?? {};
  // A fragment spread inside itself is refused by validation; here it counts for nothing.
  const visiting = new Set<string>();
  const measuredFragments = new Map<string, SelectionMeasure>();

  const measureField = (field: FieldNode, parent: GraphQLNamedType | undefined, atRoot: boolean): SelectionMeasure => {
    const coordinate: FieldCoordinate = `${parent?.name ?? '?'}.${field.name.value}`;
    const { cost, oncePerRequest } = costOfField(coordinate, atRoot);
    const definition = fieldDefinition(parent, field.name.value);
    const inner = field.selectionSet ? measure(field.selectionSet, definition ? getNamedType(definition.type) : undefined, false) : NOTHING;
    return {
      depth: inner.depth + 1,
      price: capped(cost + (field.selectionSet ? servedItems(field, definition, variableValues) * inner.price : 0)),
      rootFields: atRoot ? 1 : 0,
      aliases: capped(inner.aliases + (field.alias ? 1 : 0)),
      oncePerRequest: oncePerRequest ? mergeCounts(new Map([[coordinate, 1]]), inner.oncePerRequest) : inner.oncePerRequest,
    };
  };

  // A named fragment selects on its own type condition, whatever it is spread in.
  const measureFragment = (fragment: FragmentDefinitionNode, atRoot: boolean): SelectionMeasure => {
    const key = `${atRoot ? 'root' : 'nested'} ${fragment.name.value}`;
    const measured = measuredFragments.get(key);
    if (measured) return measured;
    visiting.add(fragment.name.value);
    const measuredNow = measure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), atRoot);
    visiting.delete(fragment.name.value);
    measuredFragments.set(key, measuredNow);
    return measuredNow;
  };

  const measure = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, atRoot: boolean): SelectionMeasure => {
    let total = NOTHING;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total = besides(total, measureField(selection, parent, atRoot));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total = besides(total, measure(selection.selectionSet, fragmentType(schema, selection.typeCondition?.name.value, parent), atRoot));
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment && !visiting.has(fragment.name.value)) total = besides(total, measureFragment(fragment, atRoot));
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const { depth, price, rootFields, aliases, oncePerRequest } = measure(operation.selectionSet, root, true);
  const repeated = [...oncePerRequest].filter(([, count]) => count > 1).map(([coordinate]) => coordinate);
  return { depth, price, rootFields, aliases, repeated };
}
