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

/**
 * Prices an operation by the field-cost table: `{ rollouts(page: { first: 50 }) { nodes { id name } } }` costs
 * 20 for `rollouts` plus 50 × (1 for `nodes` + 1 + 1), that is 170, as does `{ rollouts { nodes { id name } } }`.
 * Fragments are priced where they are spread; `variables` are as the request sent them.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Record<string, unknown>,
): OperationMeasure {
  // Variables that do not fit their types get the operation refused before anything runs; its pages are then priced at the default size.
  const variableValues = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 }).coerced ?? {};
  const visiting = new Set<string>();
  const seen = new Map<FieldCoordinate, number>();
  let aliases = 0;
  let rootFields = 0;

  const measureField = (field: FieldNode, parent: GraphQLNamedType | undefined, depth: number): { depth: number; price: number } => {
    const isRoot = depth === 0;
    if (isRoot) rootFields += 1;
    if (field.alias) aliases += 1;
    const coordinate: FieldCoordinate = `${parent?.name ?? '?'}.${field.name.value}`;
    seen.set(coordinate, (seen.get(coordinate) ?? 0) + 1);
    const { cost } = costOfField(coordinate, isRoot);
    if (!field.selectionSet) return { depth: depth + 1, price: cost };
    const definition = fieldDefinition(parent, field.name.value);
    const inner = measure(field.selectionSet, definition ? getNamedType(definition.type) : undefined, depth + 1);
    return { depth: inner.depth, price: cost + servedItems(field, definition, variableValues) * inner.price };
  };

  const measure = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    depth: number,
  ): { depth: number; price: number } => {
    let deepest = depth;
    let price = 0;
    for (const selection of selectionSet.selections) {
      let inner: { depth: number; price: number };
      if (selection.kind === Kind.FIELD) {
        inner = measureField(selection, parent, depth);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet, fragmentType(schema, selection.typeCondition?.name.value, parent), depth);
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        inner = measure(fragment.selectionSet, fragmentType(schema, fragment.typeCondition.name.value, parent), depth);
        visiting.delete(name);
      }
      price += inner.price;
      deepest = Math.max(deepest, inner.depth);
    }
    return { depth: deepest, price };
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const { depth, price } = measure(operation.selectionSet, root, 0);
  const repeated = [...seen]
    .filter(([coordinate, count]) => count > 1 && costOfField(coordinate, false).oncePerRequest)
    .map(([coordinate]) => coordinate);
  return { depth, price, rootFields, aliases, repeated };
}
