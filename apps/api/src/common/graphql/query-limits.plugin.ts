import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { ErrorCode } from '../errors.js';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

interface Cost {
  depth: number;
  complexity: number;
}

const LIST_SIZE_ARGUMENTS = new Set(['first', 'limit']);

function listMultiplier(argumentValue: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!argumentValue) return 1;
  if (argumentValue.kind === Kind.INT) return Number(argumentValue.value);
  if (argumentValue.kind === Kind.VARIABLE) {
    const value = variables[argumentValue.name.value];
    return typeof value === 'number' ? value : 1;
  }
  if (argumentValue.kind === Kind.OBJECT) {
    const size = argumentValue.fields.find((field) => LIST_SIZE_ARGUMENTS.has(field.name.value));
    return listMultiplier(size?.value, variables);
  }
  return 1;
}

/**
 * Depth counts the levels of nested fields (`{ a { b } }` is 2 deep); complexity counts fields, multiplying what lies under a paginated field
 * by its page size (`first`, `limit` or `page: { first }`).
 */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): Cost {
  const visiting = new Set<string>();
  const measure = (selectionSet: SelectionSetNode, depth: number): Cost => {
    let deepest = depth;
    let complexity = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) {
          complexity += 1;
          deepest = Math.max(deepest, depth + 1);
          continue;
        }
        const sizeArgument = selection.arguments?.find((argument) => LIST_SIZE_ARGUMENTS.has(argument.name.value) || argument.name.value === 'page');
        const inner = measure(selection.selectionSet, depth + 1);
        complexity += 1 + listMultiplier(sizeArgument?.value, variables) * inner.complexity;
        deepest = Math.max(deepest, inner.depth);
      } else {
        const fragmentSelection =
          selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
        if (!fragmentSelection || (name && visiting.has(name))) continue;
        if (name) visiting.add(name);
        const inner = measure(fragmentSelection, depth);
        if (name) visiting.delete(name);
        complexity += inner.complexity;
        deepest = Math.max(deepest, inner.depth);
      }
    }
    return { depth: deepest, complexity };
  };
  return measure(operation.selectionSet, 0);
}

/** Introspection's fixed shape nests type references about 15 levels deep; tools such as GraphiQL need it. */
function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (selection.name.value === '__schema' || selection.name.value === '__type'),
  );
}

/** Refuses operations deeper or costlier than the configured limits before anything is resolved. */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation || isIntrospectionOnly(operation)) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const cost = measureOperation(operation, fragments, request.variables ?? {});
          if (cost.depth > limits.maxDepth) {
            throw new GraphQLError(`the query is ${cost.depth} levels deep; at most ${limits.maxDepth} are allowed`, {
              extensions: { code: ErrorCode.QueryTooDeep, http: { status: 400 } },
            });
          }
          if (cost.complexity > limits.maxComplexity) {
            throw new GraphQLError(`the query costs ${cost.complexity}; at most ${limits.maxComplexity} is allowed`, {
              extensions: { code: ErrorCode.QueryTooComplex, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
