export interface GraphqlProblem {
  path: string;
  message: string;
  documentIndex?: number;
}

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; problems?: GraphqlProblem[]; freeze?: { window: string; end: string } };
}

export interface GraphqlResponse<D> {
  status: number;
  data: D | null | undefined;
  errors: GraphqlError[] | undefined;
}

/** Posts one GraphQL operation over real HTTP, as any client would. */
export async function graphql<D = Record<string, unknown>>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResponse<D>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D | null; errors?: GraphqlError[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export async function graphqlData<D = Record<string, unknown>>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<D> {
  const response = await graphql<D>(url, token, query, variables);
  if (response.errors || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}
