import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { RequestRateLimiter } from '../rate-limit/request-rate-limiter.js';
import { findArgumentProblems, type ArgumentBounds } from './argument-bounds.js';
import { httpRefusal } from './http-refusal.js';
import { measureOperation, type OperationMeasure } from './operation-cost.js';
import type { RequestContext } from './request-context.js';

export interface QueryLimits extends ArgumentBounds {
  maxDepth: number;
  maxComplexity: number;
  maxRootFields: number;
  maxAliases: number;
}

/** Answers a spent budget with HTTP 429 and its retry delay; any other failure goes on as it is. */
export function refuseOverBudget(error: unknown): never {
  throw error instanceof FlotillaError ? httpRefusal(error) : error;
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
 * Refuses, before anything is resolved, operations over the configured limits (depth, price, root fields, aliases),
 * arguments over their bounds, subscriptions sent over HTTP, and operations over their token's rate limit, which
 * each pays its price from. (Requests without a valid token are charged when their context is built.)
 */
export function queryLimitsPlugin(limits: QueryLimits, rateLimiter: RequestRateLimiter): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart({ contextValue }) {
      return Promise.resolve({
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw httpRefusal(
              new FlotillaError(ErrorCode.InputInvalid, 'subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP'),
            );
          }
          if (isIntrospectionOnly(operation)) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const variables = request.variables ?? {};
          const measure = measureOperation(schema, operation, fragments, variables);
          const refusal = overLimit(measure, limits);
          if (refusal) throw httpRefusal(refusal);
          const problems = findArgumentProblems(schema, operation, fragments, variables, limits);
          const [first] = problems;
          if (first) throw httpRefusal(new FlotillaError(ErrorCode.InputInvalid, `${first.path} ${first.message}`, problems));
          if (contextValue.principal) {
            await rateLimiter.chargeToken(contextValue.principal.tokenId, measure.price).catch(refuseOverBudget);
          }
        },
      });
    },
  };
}
