import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type Logger, ErrorCode, FlotillaError, FreezeActiveError, RetryLaterError } from '@flotilla/service-runtime';

const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  ...Object.values(ErrorCode),
]);

/** The error first thrown, under the GraphQL errors that located or wrapped it. */
function rootCause(error: unknown): unknown {
  let cause = error;
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
  return cause;
}

/**
 * Our errors go out with their stable code and field problems; GraphQL's own client errors as they are;
 * anything else is logged and answered as `internal`, without its message or stack.
 */
export function formatGraphqlError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = rootCause(error);
    if (original instanceof FlotillaError) {
      return {
        message: original.message,
        path: formatted.path,
        extensions: {
          code: original.code,
          ...(original.problems.length > 0 ? { problems: original.problems } : {}),
          ...(original instanceof RetryLaterError ? { retryAfterSeconds: original.retryAfterSeconds } : {}),
          ...(original instanceof FreezeActiveError
            ? { freeze: { window: original.freeze.window, end: original.freeze.end.toISOString() } }
            : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while serving GraphQL');
    return { message: 'internal error', path: formatted.path, extensions: { code: ErrorCode.Internal } };
  };
}
