import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { costOfField, type FieldCoordinate } from './field-costs.js';

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

const LIST_SIZE_ARGUMENTS = new Set(['first', 'limit']);

function listMultiplier(argumentValue: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!argumentValue) return 1;
  if (argumentValue.kind === Kind.INT) return Number(argumentValue.value);
  if (argumentValue.kind === Kind.VARIABLE) {
    const value = variables[argumentValue.name.value];
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(1, value) : 1;
  }
  if (argumentValue.kind === Kind.OBJECT) {
    const size = argumentValue.fields.find((field) => LIST_SIZE_ARGUMENTS.has(field.name.value));
    return listMultiplier(size?.value, variables);
  }
  return 1;
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
 * 20 for `rollouts` plus 50 × (1 for `nodes` + 1 + 1), that is 170. Fragments are priced where they are spread.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Record<string, unknown>,
): OperationMeasure {
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
    const type = fieldDefinition(parent, field.name.value)?.type;
    const inner = measure(field.selectionSet, type ? getNamedType(type) : undefined, depth + 1);
    const sizeArgument = field.arguments?.find(
      (argument) => LIST_SIZE_ARGUMENTS.has(argument.name.value) || argument.name.value === 'page',
    );
    return { depth: inner.depth, price: cost + listMultiplier(sizeArgument?.value, variables) * inner.price };
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
