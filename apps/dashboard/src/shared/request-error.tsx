import type { GraphqlRequestError } from '../api/graphql-client.js';

export function RequestError({ error, what }: { error: GraphqlRequestError | undefined; what: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      Could not load {what}: {error.message} <code>{error.code}</code>
    </p>
  );
}
