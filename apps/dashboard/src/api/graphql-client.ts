import { Kind } from '@0no-co/graphql.web';
import { documentText, type Document } from './graphql.js';

/** One error of a GraphQL answer, with the stable code the API puts in `extensions.code`. */
export interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string };
}

/** A GraphQL request that did not return data: the API's code (`auth/forbidden`, `rollout/not_found`, …) and message. */
export class GraphqlRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly operation: string,
  ) {
    super(message);
    this.name = 'GraphqlRequestError';
  }

  get forbidden(): boolean {
    return this.code === 'auth/forbidden';
  }

  get unauthenticated(): boolean {
    return this.code === 'auth/unauthenticated';
  }
}

const NETWORK_ERROR_CODE = 'network/unreachable';

/** A failure as a `GraphqlRequestError`: itself when it is one, else one with the code `client/failed`. */
export function asRequestError(error: unknown): GraphqlRequestError {
  return error instanceof GraphqlRequestError
    ? error
    : new GraphqlRequestError('client/failed', error instanceof Error ? error.message : String(error), 'request');
}

/** The kind and name of a document's operation (`query Rollouts`, `mutation Promote`), to name a failed request in messages. */
function operationName(document: Document<unknown, never>): string {
  const [operation] = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operation ? `${operation.operation} ${operation.name?.value ?? ''}`.trim() : 'request';
}

/**
 * Posts one GraphQL operation to the API this page was served by, with the token as bearer.
 * Fails with a `GraphqlRequestError` carrying the API's error code; a page of data with errors counts as failed.
 */
export function requestGraphql<Data, Variables>(token: string, document: Document<Data, Variables>, variables: Variables): Promise<Data> {
  return requestGraphqlWithFormVariables(token, document, variables ?? {});
}

/**
 * Like `requestGraphql`, for a mutation picked at run time whose variables a form gathered: the API checks them
 * against the document, and its refusal names the variable.
 */
export async function requestGraphqlWithFormVariables<Data>(
  token: string,
  document: Document<Data, never>,
  variables: object,
): Promise<Data> {
  const operation = operationName(document);
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: documentText(document), variables }),
    });
  } catch (error) {
    throw new GraphqlRequestError(
      NETWORK_ERROR_CODE,
      `the API did not answer (${error instanceof Error ? error.message : String(error)})`,
      operation,
    );
  }
  let body: { data?: Data | null; errors?: GraphqlErrorEntry[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphqlRequestError(`http/${response.status}`, `the API answered ${response.status} without a GraphQL body`, operation);
  }
  const [firstError] = body.errors ?? [];
  if (firstError) throw new GraphqlRequestError(firstError.extensions?.code ?? `http/${response.status}`, firstError.message, operation);
  if (body.data === undefined || body.data === null)
    throw new GraphqlRequestError(`http/${response.status}`, 'the API answered without data', operation);
  return body.data;
}
