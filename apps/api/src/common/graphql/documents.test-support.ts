import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

/** A document's operation and its fragments by name, as the walks over a document take them. */
export function operationAndFragments(document: string): {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
} {
  const definitions = parse(document).definitions;
  const operation = definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('the document has no operation');
  const fragments = Object.fromEntries(
    definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return { operation, fragments };
}

/**
 * A query whose fragments double at each of `levels` levels: a few kilobytes that spread `leaf` 2^levels times, for
 * checking that whatever walks a document measures each fragment once.
 * @example doublingFragments(2) === 'query{...F2} fragment F0 on Query{__typename} fragment F1 on Query{...F0 ...F0} fragment F2 on Query{...F1 ...F1}'
 */
export function doublingFragments(levels: number, leaf = '__typename'): string {
  const fragments = Array.from({ length: levels }, (_, level) => `fragment F${level + 1} on Query{...F${level} ...F${level}}`);
  return `query{...F${levels}} fragment F0 on Query{${leaf}} ${fragments.join(' ')}`;
}
