import { useEffect } from 'react';
import { ROLLOUT_TRAFFIC_ROUTING, type RolloutRef, type TrafficRouting } from '../api/documents.js';
import { useGraphqlQuery } from '../api/use-graphql.js';
import { ColumnHeads } from '../shared/column-heads.js';
import { RequestError } from '../shared/request-error.js';

const ROUTER_NAMES: Record<string, string> = {
  nginx: 'NGINX Ingress',
  istio: 'Istio',
  smi: 'SMI',
  gatewayAPI: 'Gateway API',
};

const percent = (weight: number | null, maxWeight: number): string =>
  weight === null ? '—' : maxWeight === 100 ? `${weight}%` : `${weight} of ${maxWeight}`;

/** The weight the engine asks for against the one the router serves; the two differ while the agent catches up. */
function WeightCells({ routing, readBack }: { routing: TrafficRouting; readBack: boolean }) {
  const { desiredCanaryWeight, observedCanaryWeight, maxWeight } = routing;
  const agrees = observedCanaryWeight !== null && observedCanaryWeight === desiredCanaryWeight;
  return (
    <>
      <td data-testid="desired-weight">{percent(desiredCanaryWeight, maxWeight)}</td>
      <td data-testid="observed-weight">
        {readBack ? (
          <>
            {percent(observedCanaryWeight, maxWeight)}{' '}
            {observedCanaryWeight === null ? null : agrees ? (
              <span className="muted">✔ as asked</span>
            ) : (
              <span className="weight-drift">≠ asked</span>
            )}
          </>
        ) : (
          <span className="muted">not read back</span>
        )}
      </td>
    </>
  );
}

/**
 * How the canary's traffic is split: the router, each object it drives with its routes, and per object the canary
 * weight the engine asks for beside the weight the agent read back from the cluster. Nothing for a rollout without a
 * traffic router.
 */
export function TrafficRoutingCard({ rollout, changeCount }: { rollout: RolloutRef; changeCount: number }) {
  const query = useGraphqlQuery(ROLLOUT_TRAFFIC_ROUTING, rollout);
  const { reload } = query;
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  const routing = query.data?.rollout.trafficRouting;
  if (!routing) return query.error ? <RequestError error={query.error} what="the traffic routing" /> : null;
  return (
    <section className="card" aria-labelledby="traffic-routing-title" data-router={routing.router}>
      <h2 id="traffic-routing-title">Traffic routing</h2>
      <RequestError error={query.error} what="the latest traffic routing" />
      <p data-testid="traffic-summary">
        {ROUTER_NAMES[routing.router] ?? routing.router}: canary <code>{routing.canaryService ?? '—'}</code>{' '}
        {percent(routing.desiredCanaryWeight, routing.maxWeight)}, stable <code>{routing.stableService ?? '—'}</code>{' '}
        {percent(routing.desiredStableWeight, routing.maxWeight)} asked.
        {routing.headerRoutes.length > 0 ? <> Header routes: {routing.headerRoutes.join(', ')}.</> : null}
        {routing.mirrorRoutes.length > 0 ? <> Mirror routes: {routing.mirrorRoutes.join(', ')}.</> : null}
      </p>
      <table aria-label="Traffic router objects">
        <ColumnHeads names={['Object', 'Canary asked', 'Canary served', 'Routes', 'What the router sets']} />
        <tbody>
          {routing.objects.map((object) => (
            <tr key={`${object.kind}/${object.namespace}/${object.name}`} data-router-object={`${object.kind}/${object.name}`}>
              <th scope="row">
                {object.kind} <code>{object.namespace === rollout.namespace ? object.name : `${object.namespace}/${object.name}`}</code>
              </th>
              <WeightCells routing={routing} readBack={object.weightSource} />
              <td>{object.routes.length === 0 ? <span className="muted">all</span> : object.routes.join(', ')}</td>
              <td>{object.purpose}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
