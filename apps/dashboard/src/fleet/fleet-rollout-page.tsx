import { useCallback, useEffect, useRef } from 'react';
import {
  FLEET_RELEASE_CHANGED,
  FLEET_ROLLOUT_DETAIL,
  ROLLOUT_CHANGED,
  type FleetRolloutDetail,
  type FleetRolloutDetailData,
} from '../api/documents.js';
import { useGraphqlQuery, useSubscription } from '../api/use-graphql.js';
import { FreezeBanner } from '../freezes/freeze-banner.js';
import { frozenMembers } from '../freezes/freeze-facts.js';
import { FactList } from '../rollout/progress-facts.js';
import { Link, navigate } from '../routing/router.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { releaseActions } from './fleet-actions.js';
import { FleetOperationBar, useFleetOperations } from './fleet-operations.js';
import { ReleaseHeader } from './release-header.js';
import { WaveAnalysis } from './wave-analysis.js';
import { WaveBoard } from './wave-board.js';
import { waveColumns } from './wave-columns.js';
import { ColumnHeads } from '../shared/column-heads.js';

/** Member Rollouts change far more often than their release; their changes are gathered into one reload a second. */
const MEMBER_CHANGE_RELOAD_MS = 1_000;

/** One FleetRollout: its plan, and one of its releases (the current one unless chosen) wave by wave, live. */
export function FleetRolloutPage({ name, releaseNumber }: { name: string; releaseNumber: number | undefined }) {
  const query = useGraphqlQuery(FLEET_ROLLOUT_DETAIL, { name, number: releaseNumber ?? null });
  const { reload } = query;
  useSubscription(FLEET_RELEASE_CHANGED, { fleetRollout: name }, reload);
  const operations = useFleetOperations(name, reload);

  const title = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={{ page: 'fleet-rollouts' }}>Fleet releases</Link> /
    </nav>
  );
  const data = query.data;
  if (!data?.fleetRollout) {
    return (
      <>
        {title}
        <h1>{name}</h1>
        {query.error ? <RequestError error={query.error} what="the FleetRollout" /> : null}
        {data && !data.fleetRollout ? <p>No FleetRollout is named {name}.</p> : null}
        {!data && !query.error ? <p>Loading…</p> : null}
      </>
    );
  }
  const { fleetRollout, fleetRelease: release } = data;
  const isCurrent = release !== null && fleetRollout.currentRelease?.number === release.number;
  const currentWave = release?.waves[release.currentWave];
  return (
    <>
      {title}
      <MemberRolloutsFollower namespace={fleetRollout.rolloutNamespace} name={fleetRollout.rolloutName} onChange={reload} />
      <div className="page-title">
        <h1>{fleetRollout.name}</h1>
      </div>
      <RequestError error={query.error} what="the latest state" />
      {isCurrent
        ? frozenMembers(release).map(({ period, clusters }) => (
            <FreezeBanner key={period.window} period={period} subject="the wave" clusters={clusters} />
          ))
        : null}
      <div className="columns">
        <FleetRolloutFacts fleetRollout={fleetRollout} />
        <PlanCard fleetRollout={fleetRollout} />
      </div>
      <section className="card" aria-labelledby={release ? 'release-title' : 'no-release-title'} data-release={release?.number}>
        <ReleaseChooser fleetRollout={fleetRollout} releases={data.fleetReleases.nodes} shown={releaseNumber} />
        {release ? (
          <ReleaseHeader release={release} fleetRollout={fleetRollout.name} />
        ) : (
          <h2 id="no-release-title">{releaseNumber === undefined ? 'No release yet' : `No release #${releaseNumber}`}</h2>
        )}
        {isCurrent || release === null ? (
          <FleetOperationBar
            operations={operations}
            actions={releaseActions(isCurrent ? release : null)}
            currentWave={currentWave?.name}
            defaultContainer={release?.change.container ?? fleetRollout.rolloutName}
          />
        ) : (
          <p className="muted">
            An earlier release: operations act on the{' '}
            <Link to={{ page: 'fleet-rollout', fleetRollout: fleetRollout.name, release: undefined }}>current release</Link>.
          </p>
        )}
        <h3 className="board-title">{release ? 'Waves' : 'Waves as planned now'}</h3>
        <WaveBoard
          columns={waveColumns(fleetRollout.plan, release)}
          releasePhase={isCurrent ? release.phase : undefined}
          rollout={{ namespace: fleetRollout.rolloutNamespace, name: fleetRollout.rolloutName }}
          operations={operations}
        />
      </section>
      {release ? <WaveAnalysis runs={release.analysisRuns} reload={reload} /> : null}
    </>
  );
}

/** Reloads the page when a member Rollout changes (its step and weights), at most once a second. */
function MemberRolloutsFollower({ namespace, name, onChange }: { namespace: string; name: string; onChange: () => void }) {
  const timer = useRef<number>();
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const onRolloutChanged = useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      latest.current();
    }, MEMBER_CHANGE_RELOAD_MS);
  }, []);
  useSubscription(ROLLOUT_CHANGED, { namespace, name }, onRolloutChanged);
  return null;
}

function FleetRolloutFacts({ fleetRollout }: { fleetRollout: FleetRolloutDetail }) {
  return (
    <section className="card" aria-labelledby="fleet-rollout-summary-title">
      <h2 id="fleet-rollout-summary-title">Summary</h2>
      <FactList
        facts={[
          [
            'Rollout',
            <code>
              {fleetRollout.rolloutNamespace}/{fleetRollout.rolloutName}
            </code>,
          ],
          ['Failure policy', fleetRollout.failurePolicy],
          ['Generation', String(fleetRollout.generation)],
          ['Applied by', fleetRollout.appliedBy],
          ['Updated', <time dateTime={fleetRollout.updatedAt}>{formatTime(fleetRollout.updatedAt)}</time>],
        ]}
      />
    </section>
  );
}

const soakText = (seconds: number): string => (seconds === 0 ? 'none' : `${seconds}s`);

/** The waves of the spec, and which clusters each takes now. */
function PlanCard({ fleetRollout }: { fleetRollout: FleetRolloutDetail }) {
  const { plan } = fleetRollout;
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Plan</h2>
      <table aria-labelledby="plan-title">
        <ColumnHeads names={['Wave', 'Clusters now', 'At once', 'Soak', 'Approval']} />
        <tbody>
          {fleetRollout.waves.map((wave) => {
            const clusters = plan.waves.find((planned) => planned.wave === wave.name)?.clusters ?? [];
            return (
              <tr key={wave.name} data-plan-wave={wave.name}>
                <th scope="row">{wave.name}</th>
                <td data-testid="plan-clusters">{clusters.length > 0 ? clusters.join(', ') : <span className="muted">none</span>}</td>
                <td>{wave.maxParallel ?? 'all'}</td>
                <td>{soakText(wave.soakSeconds)}</td>
                <td>{wave.approval}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {plan.unassigned.length > 0 ? (
        <p className="muted" data-testid="plan-unassigned">
          Selected but in no wave: {plan.unassigned.join(', ')}
        </p>
      ) : null}
    </section>
  );
}

/** Picks the release shown: the current one, or an earlier one by number (its own address). */
function ReleaseChooser({
  fleetRollout,
  releases,
  shown,
}: {
  fleetRollout: FleetRolloutDetail;
  releases: FleetRolloutDetailData['fleetReleases']['nodes'];
  shown: number | undefined;
}) {
  if (releases.length === 0) return null;
  const current = fleetRollout.currentRelease;
  return (
    <div className="filter release-chooser">
      <label htmlFor="release-chooser">Release shown</label>
      <select
        id="release-chooser"
        value={shown === undefined ? 'current' : String(shown)}
        onChange={(event) =>
          navigate({
            page: 'fleet-rollout',
            fleetRollout: fleetRollout.name,
            release: event.target.value === 'current' ? undefined : Number(event.target.value),
          })
        }
      >
        <option value="current">Current{current ? ` (#${current.number}, ${current.phase})` : ''}</option>
        {releases.map((release) => (
          <option key={release.number} value={String(release.number)}>
            #{release.number} · {release.phase} · {formatTime(release.startedAt)}
          </option>
        ))}
      </select>
    </div>
  );
}
