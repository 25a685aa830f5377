import { print } from '@0no-co/graphql.web';
import { initGraphQLTada, type ResultOf, type TadaDocumentNode, type VariablesOf } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * Parses a GraphQL document and types its result and variables from apps/api/schema.gql (through graphql-env.d.ts,
 * which `npm run schema:graphql` regenerates), so that a document the schema no longer answers fails the type-check.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; JSON: Record<string, unknown> };
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf };

/** A typed GraphQL document: what it answers and the variables it takes. */
export type Document<Result, Variables> = TadaDocumentNode<Result, Variables>;

const printed = new WeakMap<object, string>();

/** The text of a document as the API reads it, printed once per document. */
export function documentText(document: Document<unknown, never>): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}
