import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode, RetryLaterError, type FlotillaError } from '@flotilla/service-runtime';

function statusOf(error: FlotillaError): number {
  switch (error.code) {
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.RequestTimeout:
      return 503;
    default:
      return 400;
  }
}

/**
 * Wraps an error refusing a whole request in the shape Apollo answers with its HTTP status (429 with `Retry-After`
 * for budgets, 503 for timeouts, 400 otherwise); the client sees it formatted like any other `FlotillaError`.
 */
export function httpRefusal(error: FlotillaError): GraphQLError {
  const headers = new HeaderMap();
  if (error instanceof RetryLaterError) headers.set('retry-after', String(error.retryAfterSeconds));
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, http: { status: statusOf(error), headers } },
  });
}
