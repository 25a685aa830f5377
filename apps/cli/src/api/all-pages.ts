import type { ApiClient } from './api-client.js';
import type { PageInfo } from './queries.js';

const PAGE_SIZE = 500;

/**
 * Every node of a paged query, reading page after page; `field` names the query's field in the answer.
 * @example allPages<RolloutSummary>(api, ROLLOUTS, 'rollouts', { filter: { namespace: 'shop' } })
 */
export async function allPages<T>(api: ApiClient, document: string, field: string, variables: Record<string, unknown>): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  do {
    const answer: Record<string, { nodes: T[]; pageInfo: PageInfo } | undefined> = await api.request(document, {
      ...variables,
      page: { first: PAGE_SIZE, after },
    });
    const page = answer[field];
    if (page === undefined) throw new Error(`the API answered no ${field}`);
    nodes.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return nodes;
}
