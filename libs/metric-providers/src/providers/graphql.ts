import type { MeasureContext } from '../context.js';
import { MeasurementError } from '../errors.js';
import { isRecord, parseJson, requireSuccess, sendRequest } from './provider-requests.js';

/**
 * POSTs a GraphQL query and returns its `data`; GraphQL `errors` and non-2xx statuses are errors.
 * @example await graphqlQuery('skywalking', context, 30_000, 'http://oap:12800/graphql', {}, '{ version }', {})
 */
export async function graphqlQuery(
  provider: string,
  context: MeasureContext,
  timeoutMs: number,
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const response = await sendRequest(context, timeoutMs, {
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const answer = response.body.trim().startsWith('{') ? parseJson(provider, response.body) : undefined;
  const errors = isRecord(answer) && Array.isArray(answer['errors']) ? answer['errors'] : [];
  if (errors.length > 0) {
    const messages = errors.map((error) =>
      isRecord(error) && typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error),
    );
    throw new MeasurementError(provider, `graphql: ${messages.join('; ')}`);
  }
  requireSuccess(provider, response);
  if (!isRecord(answer)) throw new MeasurementError(provider, 'graphql answer is not a JSON object');
  return answer['data'];
}
