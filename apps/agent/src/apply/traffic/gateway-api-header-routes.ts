import type { HeaderRoutingMatch, SetHeaderRoute } from '@flotilla/argo-spec';
import type { DesiredTrafficRouting } from '@flotilla/protocol';
import { MissingObjectError, sameJson } from '../ownership.js';
import type { HttpRouteRule } from './gateway-api.js';

/**
 * The HTTPRoute rules the rollout wrote for its header routes, as JSON `{ headerRouteName: rule as written }`. It is
 * written in the same update as the rules, so a later converge finds exactly those rules again by content: neither a
 * ConfigMap nor the rule `name` field (pruned by older Gateway API CRDs) is needed.
 */
export const MANAGED_HEADER_ROUTES_ANNOTATION = 'flotilla.io/managed-header-routes';

export type ManagedHeaderRules = Record<string, HttpRouteRule>;

interface HttpHeaderMatch {
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

/** The header rules recorded on an HTTPRoute; none when the annotation is absent or not a JSON object. */
export function recordedHeaderRules(annotations: Record<string, string> | undefined): ManagedHeaderRules {
  const recorded = annotations?.[MANAGED_HEADER_ROUTES_ANNOTATION];
  if (recorded === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(recorded);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ManagedHeaderRules) : {};
  } catch {
    return {};
  }
}

/**
 * Gateway API header matches for a header route, as the Argo plugin writes them: prefixes become regular expressions.
 * @example [{ headerName: 'X-Beta', headerValue: { prefix: 'on' } }] → [{ name: 'X-Beta', type: 'RegularExpression', value: 'on.*' }]
 */
export function headerMatches(match: HeaderRoutingMatch[]): HttpHeaderMatch[] {
  return match.map(({ headerName, headerValue }) => {
    if (headerValue.exact !== undefined) return { name: headerName, type: 'Exact', value: headerValue.exact };
    if (headerValue.prefix !== undefined) return { name: headerName, type: 'RegularExpression', value: `${headerValue.prefix}.*` };
    return { name: headerName, type: 'RegularExpression', value: headerValue.regex ?? '' };
  });
}

/**
 * The rule sending a header route's requests to the canary: each match of `source` (its path and query params) with
 * the header matches added, `source`'s filters, and the canary Service as the only backendRef. Group, kind and weight
 * are the values the Gateway API CRD defaults them to, so the rule reads back exactly as written.
 * @example source { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [web-stable 80, web-canary 20] },
 *   header route 'beta' on X-Beta exact 'yes'
 * // → { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'X-Beta', type: 'Exact', value: 'yes' }] }],
 * //     backendRefs: [{ group: '', kind: 'Service', name: 'web-canary', port: 80, weight: 1 }] }
 */
export function headerRouteRule(source: HttpRouteRule, route: SetHeaderRoute, canaryService: string): HttpRouteRule {
  const headers = headerMatches(route.match ?? []);
  const sourceMatches = source.matches === undefined || source.matches.length === 0 ? [{}] : source.matches;
  const matches = sourceMatches.map(({ path, queryParams }) => ({
    ...(path === undefined ? {} : { path: structuredClone(path) }),
    ...(queryParams === undefined ? {} : { queryParams: structuredClone(queryParams) }),
    headers,
  }));
  const port = source.backendRefs?.find((ref) => ref.name === canaryService)?.port;
  const canary = { group: '', kind: 'Service', name: canaryService, ...(port === undefined ? {} : { port }), weight: 1 };
  return {
    matches,
    ...(source.filters === undefined || source.filters.length === 0 ? {} : { filters: structuredClone(source.filters) }),
    backendRefs: [canary],
  };
}

/** `rules` without the recorded ones: for each recorded rule, the first rule equal to it in content is dropped. */
export function withoutRecordedRules(rules: HttpRouteRule[], recorded: ManagedHeaderRules): HttpRouteRule[] {
  const remaining = [...rules];
  for (const rule of Object.values(recorded)) {
    const index = remaining.findIndex((candidate) => sameJson(candidate, rule));
    if (index !== -1) remaining.splice(index, 1);
  }
  return remaining;
}

/**
 * The header rules the rollout wants on an HTTPRoute, in the order of `managedRoutes`: one per header route with
 * matches, built from the first rule holding both the canary and the stable backendRefs.
 * @throws MissingObjectError when a header route is wanted and no rule holds both backendRefs
 */
export function wantedHeaderRules(
  rules: HttpRouteRule[],
  routing: DesiredTrafficRouting,
  route: { namespace: string; name: string },
): Array<[string, HttpRouteRule]> {
  const wanted = routing.headerRoutes.filter((headerRoute) => (headerRoute.match ?? []).length > 0);
  const { canaryService, stableService } = routing;
  if (wanted.length === 0 || canaryService === undefined) return [];
  const holds = (rule: HttpRouteRule, service: string | undefined): boolean => (rule.backendRefs ?? []).some((ref) => ref.name === service);
  const source = rules.find((rule) => holds(rule, canaryService) && holds(rule, stableService));
  if (source === undefined)
    throw new MissingObjectError(
      'HTTPRoute rule with the canary and stable backendRefs',
      route.namespace,
      `${route.name}/${canaryService},${stableService ?? ''}`,
    );
  const order = (routing.routing.managedRoutes ?? []).map((managed) => managed.name);
  const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
  return wanted
    .sort((left, right) => rank(left.name) - rank(right.name))
    .map((headerRoute) => [headerRoute.name, headerRouteRule(source, headerRoute, canaryService)]);
}
