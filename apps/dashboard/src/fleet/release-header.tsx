import type { FleetChange, FleetRelease } from '../api/documents.js';
import { FactList, type Fact } from '../rollout/progress-facts.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';

function ChangeText({ change }: { change: FleetChange }) {
  if (change.image !== null)
    return (
      <>
        <code>{change.image}</code> in container <code>{change.container ?? '—'}</code>
      </>
    );
  return <>the whole pod template</>;
}

/** What a release changes, why, who started it and how it stands. */
export function ReleaseHeader({ release, fleetRollout }: { release: FleetRelease; fleetRollout: string }) {
  const now = useNow();
  const facts: Fact[] = [
    ['Change', <ChangeText change={release.change} />],
    ['Reason', release.reason ?? <span className="muted">—</span>],
    ['Started by', release.startedBy],
    ['Started', <TimeAgo iso={release.startedAt} now={now} />],
  ];
  if (release.finishedAt) facts.push(['Finished', <TimeAgo iso={release.finishedAt} now={now} />]);
  if (release.supersededBy !== null)
    facts.push([
      'Superseded by',
      <Link to={{ page: 'fleet-rollout', fleetRollout, release: release.supersededBy }}>release #{release.supersededBy}</Link>,
    ]);
  if (release.unassigned.length > 0) facts.push(['In no wave', release.unassigned.join(', ')]);
  return (
    <div className="release-header">
      <div className="run-header">
        <h2 id="release-title">Release #{release.number}</h2>
        <span data-testid="release-phase">
          <PhaseBadge phase={release.phase} />
        </span>
        {release.message ? <span className="phase-message">{release.message}</span> : null}
      </div>
      <FactList facts={facts} />
    </div>
  );
}
