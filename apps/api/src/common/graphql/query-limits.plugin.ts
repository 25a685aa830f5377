import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode } from 'graphql';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { RequestRateLimiter } from '../rate-limit/request-rate-limiter.js';
import { httpRefusal } from './http-refusal.js';
import { admitOperation, type QueryLimits } from './operation-admission.js';
import type { RequestContext } from './request-context.js';

/** Answers a refusal of the whole request with its HTTP status (429 and its retry delay for a spent budget); any other failure goes on as it is. */
export function refuseOverBudget(error: unknown): never {
  throw error instanceof FlotillaError ? httpRefusal(error) : error;
}

/**
 * Refuses subscriptions sent over HTTP, and admits every other operation by `admitOperation` (limits, argument bounds,
 * its token's rate budget) before anything is resolved.
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
          await admitOperation(
            { schema, document, operation, variables: request.variables ?? {} },
            limits,
            rateLimiter,
            contextValue.principal,
          ).catch(refuseOverBudget);
        },
      });
    },
  };
}
