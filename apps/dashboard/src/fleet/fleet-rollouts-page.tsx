import { FLEET_RELEASE_CHANGED, FLEET_ROLLOUTS } from '../api/documents.js';
import { useGraphqlQuery, useSubscription } from '../api/use-graphql.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { RequestError } from '../shared/request-error.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { ColumnHeads } from '../shared/column-heads.js';

/** Every FleetRollout of the organization with its waves and how its current release stands, live. */
export function FleetRolloutsPage() {
  const query = useGraphqlQuery(FLEET_ROLLOUTS, {});
  useSubscription(FLEET_RELEASE_CHANGED, {}, query.reload);
  const now = useNow();
  return (
    <>
      <h1>Fleet releases</h1>
      <RequestError error={query.error} what="the FleetRollouts" />
      {query.data ? (
        <section className="card" aria-labelledby="fleet-rollouts-title">
          <h2 id="fleet-rollouts-title">FleetRollouts</h2>
          {query.data.fleetRollouts.length === 0 ? (
            <p className="muted">
              No FleetRollout yet: an admin applies one (<code>kind: FleetRollout</code>) to release a Rollout across clusters wave by wave.
            </p>
          ) : (
            <table>
              <ColumnHeads names={['FleetRollout', 'Rollout', 'Waves', 'Current release', 'Started']} />
              <tbody>
                {query.data.fleetRollouts.map((fleetRollout) => (
                  <tr key={fleetRollout.name} data-fleet-rollout={fleetRollout.name}>
                    <th scope="row">
                      <Link to={{ page: 'fleet-rollout', fleetRollout: fleetRollout.name, release: undefined }}>{fleetRollout.name}</Link>
                    </th>
                    <td>
                      <code>
                        {fleetRollout.rolloutNamespace}/{fleetRollout.rolloutName}
                      </code>
                    </td>
                    <td>{fleetRollout.waves.map((wave) => wave.name).join(' → ')}</td>
                    <td>
                      {fleetRollout.currentRelease ? (
                        <>
                          #{fleetRollout.currentRelease.number} <PhaseBadge phase={fleetRollout.currentRelease.phase} />
                        </>
                      ) : (
                        <span className="muted">none yet</span>
                      )}
                    </td>
                    <td>
                      <TimeAgo iso={fleetRollout.currentRelease?.startedAt ?? null} now={now} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : query.error ? null : (
        <p>Loading…</p>
      )}
    </>
  );
}
