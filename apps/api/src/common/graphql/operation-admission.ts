import { Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { Principal } from '../auth/principal.js';
import type { RequestRateLimiter } from '../rate-limit/request-rate-limiter.js';
import { findArgumentProblems, type ArgumentBounds } from './argument-bounds.js';
import { measureOperation, type OperationMeasure } from './operation-cost.js';

export interface QueryLimits extends ArgumentBounds {
  maxDepth: number;
  maxComplexity: number;
  maxRootFields: number;
  maxAliases: number;
}

/** An operation to admit, parsed and validated, with the variables its request sent. */
export interface OperationToAdmit {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

/** Introspection's fixed shape nests type references about 15 levels deep; tools such as GraphiQL need it. */
function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (selection.name.value === '__schema' || selection.name.value === '__type'),
  );
}

function overLimit(measure: OperationMeasure, limits: QueryLimits): FlotillaError | undefined {
  if (measure.depth > limits.maxDepth) {
    return new FlotillaError(ErrorCode.QueryTooDeep, `the query is ${measure.depth} levels deep; at most ${limits.maxDepth} are allowed`);
  }
  if (measure.rootFields > limits.maxRootFields) {
    return new FlotillaError(
      ErrorCode.QueryTooComplex,
      `the query asks for ${measure.rootFields} root fields; at most ${limits.maxRootFields} are allowed`,
    );
  }
  if (measure.aliases > limits.maxAliases) {
    return new FlotillaError(
      ErrorCode.QueryTooComplex,
      `the query has ${measure.aliases} aliases; at most ${limits.maxAliases} are allowed`,
    );
  }
  const [repeated] = measure.repeated;
  if (repeated) return new FlotillaError(ErrorCode.QueryTooComplex, `${repeated} may be asked for once per request`);
  if (measure.price > limits.maxComplexity) {
    return new FlotillaError(ErrorCode.QueryTooComplex, `the query costs ${measure.price}; at most ${limits.maxComplexity} is allowed`);
  }
  return undefined;
}

/**
 * Refuses, before anything is resolved, an operation over the configured limits (depth, price, root fields, aliases)
 * or with arguments over their bounds, and charges its price to its caller's token, refusing it when the token's
 * budget cannot pay. Every refusal is a `FlotillaError`; introspection alone is neither limited nor charged, and a
 * caller without a token is charged when it is authenticated (see `authenticateMetered`).
 * @example admitOperation({ schema, document, operation, variables: {} }, limits, rateLimiter, viewer) // pays 170 for `{ rollouts { nodes { id name } } }`
 */
export async function admitOperation(
  { schema, document, operation, variables }: OperationToAdmit,
  limits: QueryLimits,
  rateLimiter: RequestRateLimiter,
  principal: Principal | undefined,
): Promise<void> {
  if (isIntrospectionOnly(operation)) return;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const measure = measureOperation(schema, operation, fragments, variables);
  const refusal = overLimit(measure, limits);
  if (refusal) throw refusal;
  const problems = findArgumentProblems(schema, operation, fragments, variables, limits);
  const [first] = problems;
  if (first) throw new FlotillaError(ErrorCode.InputInvalid, `${first.path} ${first.message}`, problems);
  if (principal) await rateLimiter.chargeToken(principal.tokenId, measure.price);
}
