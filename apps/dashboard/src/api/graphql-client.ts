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

/** The first word of a document (`query`, `mutation`) and its first field, to name a failed request in messages. */
function operationName(document: string): string {
  const match = /^\s*(query|mutation|subscription)?[^{]*\{\s*(?:\w+\s*:\s*)?(\w+)/.exec(document);
  return match ? `${match[1] ?? 'query'} ${match[2]}` : 'request';
}

/**
 * Posts one GraphQL operation to the API this page was served by, with the token as bearer.
 * Fails with a `GraphqlRequestError` carrying the API's error code; a page of data with errors counts as failed.
 */
export async function requestGraphql<Data>(token: string, document: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const operation = operationName(document);
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document, variables }),
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
