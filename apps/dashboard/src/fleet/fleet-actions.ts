import type { FleetGate, FleetMemberState, FleetMutation, FleetReleasePhase } from '../api/documents.js';

/** The operations of a FleetRollout's release bar. */
export type ReleaseAction = 'release' | 'pause' | 'resume' | 'abort' | 'approveWave' | 'promoteWave' | 'retry';
/** The operations of one member's card. */
export type MemberAction = 'skipMember' | 'retryMember';
export type FleetAction = ReleaseAction | MemberAction;

export interface FleetActionInfo {
  action: FleetAction;
  mutation: FleetMutation;
  label: string;
  /** What it does, shown in the confirmation dialog. */
  effect: string;
  destructive: boolean;
}

export const FLEET_ACTIONS: Readonly<Record<FleetAction, FleetActionInfo>> = {
  release: {
    action: 'release',
    mutation: 'releaseFleet',
    label: 'Release',
    effect: "Sets one container's image in every member, wave by wave; an active release is superseded and the new one starts at wave 1.",
    destructive: false,
  },
  pause: {
    action: 'pause',
    mutation: 'pauseFleetRelease',
    label: 'Pause',
    effect: 'Changes no further member and starts no further wave; members already changing carry on with their own steps.',
    destructive: false,
  },
  resume: {
    action: 'resume',
    mutation: 'resumeFleetRelease',
    label: 'Resume',
    effect: 'Lets the release carry on where it was paused.',
    destructive: false,
  },
  abort: {
    action: 'abort',
    mutation: 'abortFleetRelease',
    label: 'Abort',
    effect:
      'Ends the release and aborts the members of the current wave still changing; with rollback, every changed member gets its former template back, wave by wave.',
    destructive: true,
  },
  approveWave: {
    action: 'approveWave',
    mutation: 'approveWave',
    label: 'Approve wave',
    effect: 'Records the manual approval the current wave waits for, so that the next wave may start once its other gates pass.',
    destructive: false,
  },
  promoteWave: {
    action: 'promoteWave',
    mutation: 'promoteWave',
    label: 'Promote wave',
    effect: 'Promotes every changing member of the current wave that waits at a pause, past that pause.',
    destructive: false,
  },
  retry: {
    action: 'retry',
    mutation: 'retryFleetRelease',
    label: 'Retry',
    effect: 'Starts the failed wave again: its failed members are changed anew.',
    destructive: false,
  },
  skipMember: {
    action: 'skipMember',
    mutation: 'skipFleetMember',
    label: 'Skip',
    effect: 'Passes this member over: the release goes on without it, and it counts as passed in every gate.',
    destructive: true,
  },
  retryMember: {
    action: 'retryMember',
    mutation: 'retryFleetMember',
    label: 'Retry member',
    effect: 'Changes this failed member again; a release halted by it alone carries on.',
    destructive: false,
  },
};

export const RELEASE_ACTIONS: readonly ReleaseAction[] = ['release', 'pause', 'resume', 'abort', 'approveWave', 'promoteWave', 'retry'];

const ACTIVE_PHASES: readonly FleetReleasePhase[] = ['Progressing', 'Paused', 'Halted', 'RollingBack'];

/**
 * Whether a release still owns its members' templates (the others are final).
 * @example isActiveRelease('Halted') === true
 */
export const isActiveRelease = (phase: FleetReleasePhase): boolean => ACTIVE_PHASES.includes(phase);

/** What the choice of operations reads of a member. */
export interface MemberStanding {
  state: FleetMemberState;
  rollout: { progress: { pause: { specPaused: boolean; conditions: readonly unknown[] } } } | null;
}

/** What the choice of operations reads of a release. */
export interface ReleaseStanding {
  phase: FleetReleasePhase;
  currentWave: number;
  waves: readonly { approvedBy: string | null; gates: readonly Pick<FleetGate, 'gate' | 'state'>[]; members: readonly MemberStanding[] }[];
}

/** Whether a changing member's Rollout waits at a pause that a promote would end. */
const waitsAtPause = ({ state, rollout }: MemberStanding): boolean =>
  state === 'Changing' && rollout !== null && (rollout.progress.pause.specPaused || rollout.progress.pause.conditions.length > 0);

/**
 * The release bar's operations that make sense for the FleetRollout's current release (`null`: it has none yet).
 * A new release may always start. Lenient where the engine's answer depends on more than the page shows; its
 * refusals are shown next to the bar.
 * @example releaseActions({ phase: 'Halted', currentWave: 1, waves }) → ['release', 'abort', 'retry']
 */
export function releaseActions(release: ReleaseStanding | null): ReleaseAction[] {
  if (release === null || !isActiveRelease(release.phase)) return ['release'];
  const { phase } = release;
  const currentWave = release.waves[release.currentWave];
  const waveMayMove = phase !== 'RollingBack' && currentWave !== undefined;
  const approvalPending =
    waveMayMove && currentWave.approvedBy === null && currentWave.gates.some((gate) => gate.gate === 'approval' && gate.state !== 'Passed');
  const applies: Record<ReleaseAction, boolean> = {
    release: true,
    // Pausing a halted release would hold nothing that is moving.
    pause: phase === 'Progressing' || phase === 'RollingBack',
    resume: phase === 'Paused',
    abort: true,
    approveWave: approvalPending,
    promoteWave: waveMayMove && currentWave.members.some(waitsAtPause),
    retry: phase === 'Halted',
  };
  return RELEASE_ACTIONS.filter((action) => applies[action]);
}

/**
 * The operations of one member's card: a failed member may be retried, and any member not finished may be skipped,
 * while its release is active and not rolling back.
 * @example memberActions('Progressing', 'Failed') → ['skipMember', 'retryMember']
 */
export function memberActions(releasePhase: FleetReleasePhase, memberState: FleetMemberState): MemberAction[] {
  if (!isActiveRelease(releasePhase) || releasePhase === 'RollingBack') return [];
  const actions: MemberAction[] = [];
  if (memberState === 'Pending' || memberState === 'Changing' || memberState === 'Failed') actions.push('skipMember');
  if (memberState === 'Failed') actions.push('retryMember');
  return actions;
}
