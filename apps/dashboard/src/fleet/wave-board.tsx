import type { FleetGate, FleetMember, FleetReleasePhase, FleetWave } from '../api/documents.js';
import { FactList, progressFacts, type Fact } from '../rollout/progress-facts.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { formatCountdown } from './countdown.js';
import { FLEET_ACTIONS, memberActions } from './fleet-actions.js';
import { FleetOperationButton, type FleetOperations } from './fleet-operations.js';
import type { MemberCard, WaveColumn } from './wave-columns.js';

const GATE_NAMES: Record<string, string> = {
  healthy: 'All members healthy',
  analysis: 'Analysis',
  soak: 'Soak',
  approval: 'Manual approval',
};
const POSITION_TEXT = { earlier: 'earlier wave', current: 'current wave', later: 'later wave', planned: 'planned' } as const;

/** The waves of a release (or of the plan, before any release) as columns, a card per member. */
export function WaveBoard({
  columns,
  releasePhase,
  rollout,
  operations,
}: {
  columns: WaveColumn[];
  /** Absent when the board shows the plan alone. */
  releasePhase: FleetReleasePhase | undefined;
  /** The member Rollout's namespace and name, for the links to it. */
  rollout: { namespace: string; name: string };
  operations: FleetOperations;
}) {
  const now = useNow();
  return (
    <div className="wave-board">
      {columns.map((column) => (
        <section
          key={column.name}
          className={`wave-column wave-${column.position}`}
          aria-labelledby={`wave-${column.name}`}
          aria-current={column.position === 'current' ? 'step' : undefined}
          data-wave={column.name}
        >
          <header className="wave-header">
            <h3 id={`wave-${column.name}`}>{column.name}</h3>
            {column.wave ? <PhaseBadge phase={column.wave.phase} /> : <span className="muted">{POSITION_TEXT[column.position]}</span>}
          </header>
          {column.wave ? <WaveFacts wave={column.wave} tally={column.tally} now={now} /> : null}
          <ul className="member-cards" aria-label={`Members of ${column.name}`}>
            {column.cards.map((card) => (
              <li key={card.cluster}>
                <MemberCardView card={card} releasePhase={releasePhase} rollout={rollout} operations={operations} now={now} />
              </li>
            ))}
          </ul>
          {column.cards.length === 0 ? <p className="muted">No cluster in this wave.</p> : null}
          {column.notInRelease.length > 0 ? (
            <p className="muted" data-testid="not-in-release">
              In this wave now, not in this release: {column.notInRelease.join(', ')}
            </p>
          ) : null}
        </section>
      ))}
    </div>
  );
}

function WaveFacts({ wave, tally, now }: { wave: FleetWave; tally: string; now: Date }) {
  return (
    <>
      {tally ? <p className="wave-tally">{tally}</p> : null}
      {wave.gates.length > 0 ? (
        <ul className="gates" aria-label={`Gates of ${wave.name}`}>
          {wave.gates.map((gate) => (
            <GateRow key={gate.gate} gate={gate} />
          ))}
        </ul>
      ) : null}
      {wave.approvedBy ? (
        <p className="approval" data-testid="wave-approval">
          Approved by {wave.approvedBy} <TimeAgo iso={wave.approvedAt} now={now} />
          {wave.approvalReason ? `: ${wave.approvalReason}` : null}
        </p>
      ) : null}
    </>
  );
}

function GateRow({ gate }: { gate: FleetGate }) {
  return (
    <li className="gate" data-gate={gate.gate} data-gate-state={gate.state}>
      <span className="gate-name">{GATE_NAMES[gate.gate] ?? gate.gate}</span> <PhaseBadge phase={gate.state} />
      {gate.until !== null && gate.state !== 'Passed' && gate.state !== 'Failed' ? <Countdown until={gate.until} /> : null}
      {gate.message ? <span className="gate-message">{gate.message}</span> : null}
    </li>
  );
}

/** Time left until a gate may pass on its own, ticking every second. */
function Countdown({ until }: { until: string }) {
  const now = useNow(1_000);
  const left = formatCountdown(until, now);
  return (
    <time className="countdown" dateTime={until} role="timer" data-testid="soak-countdown">
      {left === undefined ? 'ends now' : `${left} left`}
    </time>
  );
}

function MemberCardView({
  card,
  releasePhase,
  rollout,
  operations,
  now,
}: {
  card: MemberCard;
  releasePhase: FleetReleasePhase | undefined;
  rollout: { namespace: string; name: string };
  operations: FleetOperations;
  now: Date;
}) {
  const { cluster, member } = card;
  const link = <Link to={{ page: 'rollout', rollout: { cluster, namespace: rollout.namespace, name: rollout.name } }}>{cluster}</Link>;
  if (!member) {
    return (
      <article className="member-card" aria-label={cluster} data-member={cluster}>
        <h4>{link}</h4>
      </article>
    );
  }
  const actions = releasePhase ? memberActions(releasePhase, member.state) : [];
  return (
    <article className={`member-card member-${member.state}`} aria-label={cluster} data-member={cluster} data-member-state={member.state}>
      <header className="member-header">
        <h4>{member.rollout ? link : cluster}</h4>
        <PhaseBadge phase={member.state} />
      </header>
      {member.message ? <p className="phase-message">{member.message}</p> : null}
      <MemberRollout member={member} rollout={rollout} />
      {member.changedAt ? (
        <p className="muted">
          Changed <TimeAgo iso={member.changedAt} now={now} />
        </p>
      ) : null}
      {actions.length > 0 ? (
        <div className="button-row">
          {actions.map((action) => (
            <FleetOperationButton
              key={action}
              operations={operations}
              request={{ info: FLEET_ACTIONS[action], cluster }}
              label={`${FLEET_ACTIONS[action].label} ${cluster}`}
            />
          ))}
        </div>
      ) : null}
    </article>
  );
}

function MemberRollout({ member, rollout }: { member: FleetMember; rollout: { namespace: string; name: string } }) {
  if (!member.rollout) return <p className="muted">No Rollout {`${rollout.namespace}/${rollout.name}`} in this cluster.</p>;
  const { phase, progress, strategy } = member.rollout;
  const facts: Fact[] = [
    [
      'Rollout',
      <span data-testid="member-rollout-phase">
        <PhaseBadge phase={phase} />
      </span>,
    ],
  ];
  if (strategy === 'BlueGreen') facts.push(['Strategy', 'Blue-green']);
  facts.push(...progressFacts(progress));
  return <FactList className="facts compact" facts={facts} />;
}
