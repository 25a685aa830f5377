import { GATEWAY_API_PLUGIN, type RolloutTrafficRouting } from '../types.js';
import { childPath, type IssueList } from './issues.js';
import { exactlyOnePresent, hadRefusedFields, isPresent, type Loose } from './schema.js';
import { checkUniqueNames } from './unique-names.js';

/** The traffic routers a canary names, such as `['nginx']` or `['plugins[argoproj-labs/gatewayAPI]']`. */
function trafficRouters(routing: Loose<RolloutTrafficRouting>): string[] {
  const builtIn = (['nginx', 'istio', 'smi'] as const).filter((router) => isPresent(routing, router));
  const plugins = Object.keys(routing.plugins ?? {}).map((plugin) => `plugins[${plugin}]`);
  return [...builtIn, ...plugins];
}

/** One supported traffic router, configured with what it needs to find the routes it shifts. */
export function checkTrafficRouting(routing: Loose<RolloutTrafficRouting>, path: string, issues: IssueList): void {
  const routers = trafficRouters(routing);
  if (routers.length === 0 && !hadRefusedFields(routing)) {
    issues.add(path, `must configure a traffic router: nginx, istio, smi or plugins[${GATEWAY_API_PLUGIN}]`);
  } else if (routers.length > 1) {
    issues.add(path, `configures ${routers.length} traffic routers (${routers.join(', ')}); at most one is supported`);
  }

  const { nginx, istio } = routing;
  if (nginx !== undefined) {
    const hasIngresses = (nginx.stableIngresses?.length ?? 0) > 0;
    if (isPresent(nginx, 'stableIngress') === hasIngresses) {
      issues.add(childPath(path, 'nginx'), 'must set exactly one of stableIngress and stableIngresses');
    }
  }
  if (istio !== undefined) {
    const hasVirtualServices = (istio.virtualServices?.length ?? 0) > 0;
    if (isPresent(istio, 'virtualService') === hasVirtualServices) {
      issues.add(childPath(path, 'istio'), 'must set exactly one of virtualService and virtualServices');
    }
    const rule = istio.destinationRule;
    if (rule?.canarySubsetName !== undefined && rule.canarySubsetName === rule.stableSubsetName) {
      issues.add(
        childPath(childPath(childPath(path, 'istio'), 'destinationRule'), 'canarySubsetName'),
        'must differ from stableSubsetName',
      );
    }
  }
  const gatewayApi = routing.plugins?.[GATEWAY_API_PLUGIN];
  if (gatewayApi !== undefined && !exactlyOnePresent(gatewayApi, ['httpRoute', 'httpRoutes'])) {
    issues.add(`${childPath(path, 'plugins')}[${GATEWAY_API_PLUGIN}]`, 'must set exactly one of httpRoute and httpRoutes');
  }
  checkUniqueNames(routing.managedRoutes, childPath(path, 'managedRoutes'), 'managed route', issues);
  if (routing.maxTrafficWeight !== undefined && nginx === undefined && routing.plugins === undefined) {
    issues.add(childPath(path, 'maxTrafficWeight'), 'is only supported with the nginx router or a plugin');
  }
}

/** Argo needs both services whenever a router splits traffic between them (istio subsets route by pod hash instead). */
export function routingNeedsServices(routing: Loose<RolloutTrafficRouting>): boolean {
  return (
    routing.nginx !== undefined ||
    routing.smi !== undefined ||
    routing.plugins?.[GATEWAY_API_PLUGIN] !== undefined ||
    (routing.istio !== undefined && routing.istio.destinationRule === undefined)
  );
}
