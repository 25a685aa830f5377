import type { FleetMember, FleetMemberState, FleetPlan, FleetRelease, FleetWave } from '../api/documents.js';

/** Where a column stands against the release's current wave; `planned` when there is no release to show. */
export type ColumnPosition = 'earlier' | 'current' | 'later' | 'planned';

export interface MemberCard {
  cluster: string;
  /** Absent on a column of the plan alone. */
  member: FleetMember | undefined;
}

/** One wave as a column of the board: a card per cluster. */
export interface WaveColumn {
  name: string;
  position: ColumnPosition;
  /** The release's wave; absent on a column of the plan alone. */
  wave: FleetWave | undefined;
  cards: MemberCard[];
  /** Members by state, e.g. `2 Released · 1 Changing`; empty for the plan. */
  tally: string;
  /** Clusters the plan puts in this wave now that the release did not take: they joined after it started. */
  notInRelease: string[];
}

const MEMBER_STATE_ORDER: readonly FleetMemberState[] = [
  'Released',
  'Changing',
  'Pending',
  'Failed',
  'Skipped',
  'RollingBack',
  'RolledBack',
];

/**
 * How many members are in each state, in a fixed order, leaving out the states no member is in.
 * @example memberTally([{ state: 'Changing' }, { state: 'Released' }, { state: 'Released' }]) === '2 Released · 1 Changing'
 */
export function memberTally(members: readonly Pick<FleetMember, 'state'>[]): string {
  return MEMBER_STATE_ORDER.map((state) => [state, members.filter((member) => member.state === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state}`)
    .join(' · ');
}

const positionOf = (index: number, currentWave: number): ColumnPosition =>
  index < currentWave ? 'earlier' : index === currentWave ? 'current' : 'later';

/**
 * The board of a release: its waves left to right, each with its members in the order the release froze them;
 * without a release, the plan's waves with their clusters.
 * @example waveColumns({ waves: [{ wave: 'canary', clusters: ['a'] }], unassigned: [] }, null)
 *   → [{ name: 'canary', position: 'planned', wave: undefined, cards: [{ cluster: 'a', member: undefined }], tally: '', notInRelease: [] }]
 */
export function waveColumns(plan: FleetPlan, release: Pick<FleetRelease, 'currentWave' | 'waves'> | null): WaveColumn[] {
  if (release === null) {
    return plan.waves.map(({ wave, clusters }) => ({
      name: wave,
      position: 'planned',
      wave: undefined,
      cards: clusters.map((cluster) => ({ cluster, member: undefined })),
      tally: '',
      notInRelease: [],
    }));
  }
  return release.waves.map((wave, index) => {
    const members = new Set(wave.members.map((member) => member.cluster));
    const planned = plan.waves.find((plannedWave) => plannedWave.wave === wave.name)?.clusters ?? [];
    return {
      name: wave.name,
      position: positionOf(index, release.currentWave),
      wave,
      cards: wave.members.map((member) => ({ cluster: member.cluster, member })),
      tally: memberTally(wave.members),
      notInRelease: planned.filter((cluster) => !members.has(cluster)),
    };
  });
}
