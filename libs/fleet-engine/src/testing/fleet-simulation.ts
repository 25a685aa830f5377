import type { PodTemplateSpec } from '@flotilla/argo-spec';
import { podTemplateHash } from '@flotilla/rollout-engine';
import type { FleetRolloutSpec } from '../fleet-rollout-spec.js';
import { applyReleaseOperation } from '../release-operations.js';
import { decideRelease } from '../release-decision.js';
import { startRelease, supersedeRelease } from '../release-start.js';
import type {
  FleetChange,
  MemberFreeze,
  MemberObservation,
  ReleaseDecision,
  ReleaseEvent,
  ReleaseInput,
  ReleaseOperation,
  ReleaseOperationResult,
  ReleaseStatus,
} from '../release-types.js';
import type { FleetCluster } from '../wave-plan.js';

export const START = new Date('2026-12-04T10:00:00.000Z');

/** A pod template of one `app` container running `image`. */
export const appTemplate = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'checkout' } },
  spec: { containers: [{ name: 'app', image }] },
});

/** A Rollout in one member cluster, as the control plane would observe it. */
export interface SimulatedRollout {
  template: PodTemplateSpec;
  phase: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
  reconciled: boolean;
  fullyPromoted: boolean;
  aborted: boolean;
  waitsAtPause: boolean;
  /** Steps until the current template is Healthy (or Degraded when broken); 0: settled. */
  stepsLeft: number;
}

export interface FleetSimulationOptions {
  spec: FleetRolloutSpec;
  change: FleetChange;
  clusters: FleetCluster[];
  /** Each cluster's Rollout template before the release; `null`: the cluster has no such Rollout. Default `app:1`. */
  templates?: Record<string, PodTemplateSpec | null>;
  /** Steps a member takes from a template change to Healthy. Default 2. */
  stepsToHealthy?: number;
  /** Seconds the clock moves at each step. Default 10. */
  secondsPerStep?: number;
}

/**
 * Plays a fleet's members against the release engine: it applies the template changes and rollout operations of
 * each decision as the shell would (in the same transaction), and moves every changed member to Healthy and fully
 * promoted after `stepsToHealthy` steps, or to Degraded when its image is broken, or to a pause when told so.
 */
export class FleetSimulation {
  status: ReleaseStatus;
  now: Date;
  readonly rollouts = new Map<string, SimulatedRollout | null>();
  readonly disconnectedSince = new Map<string, Date>();
  /**
   * Freeze windows covering members' clusters, as the shell would find them: each holds until its end, and with
   * policy `hold` a member's rollout in flight makes no progress until then either.
   */
  readonly freezes = new Map<string, MemberFreeze & { policy: 'finish' | 'hold' }>();
  /** Images whose rollouts go Degraded instead of Healthy. */
  readonly brokenImages = new Set<string>();
  /** Clusters whose rollouts wait at a pause, the next time they are changed, until promoted. */
  readonly pausingClusters = new Set<string>();
  readonly decisions: ReleaseDecision[] = [];
  readonly events: ReleaseEvent[] = [];
  readonly spec: FleetRolloutSpec;
  change: FleetChange;
  private readonly stepsToHealthy: number;
  private readonly secondsPerStep: number;

  constructor(options: FleetSimulationOptions, superseded?: ReleaseStatus) {
    this.spec = options.spec;
    this.change = options.change;
    this.now = START;
    this.stepsToHealthy = options.stepsToHealthy ?? 2;
    this.secondsPerStep = options.secondsPerStep ?? 10;
    for (const cluster of options.clusters) {
      const template = options.templates?.[cluster.name] === undefined ? appTemplate('shop/app:1') : options.templates[cluster.name];
      this.rollouts.set(cluster.name, template ? settled(template) : null);
    }
    const started = startRelease({ spec: options.spec, clusters: options.clusters, now: this.now, ...(superseded ? { superseded } : {}) });
    this.status = started.status;
    this.events.push(...started.events);
  }

  /** A newer release of the same fleet: this one is superseded and the new one starts over at the first wave. Returns the old one's status. */
  supersede(change: FleetChange, clusters: FleetCluster[]): ReleaseStatus {
    const old = supersedeRelease(this.status, this.now);
    const started = startRelease({ spec: this.spec, clusters, now: this.now, superseded: this.status });
    this.status = started.status;
    this.change = change;
    this.events.push(...old.events, ...started.events);
    return old.status;
  }

  observation(cluster: string): MemberObservation {
    const rollout = this.rollouts.get(cluster);
    if (!rollout) return { present: false };
    return {
      present: true,
      template: rollout.template,
      templateHash: podTemplateHash(rollout.template),
      phase: rollout.phase,
      reconciled: rollout.reconciled,
      fullyPromoted: rollout.fullyPromoted,
      aborted: rollout.aborted,
      waitsAtPause: rollout.waitsAtPause,
      disconnectedSince: this.disconnectedSince.get(cluster) ?? null,
      frozen: this.freezeOf(cluster),
    };
  }

  input(): ReleaseInput {
    const members: Record<string, MemberObservation> = {};
    for (const cluster of this.rollouts.keys()) members[cluster] = this.observation(cluster);
    return { spec: this.spec, change: this.change, status: this.status, members, now: this.now };
  }

  /** One decision, applied; then every member moves one step and the clock `secondsPerStep`. */
  step(): ReleaseDecision {
    const decision = decideRelease(this.input());
    this.apply(decision);
    this.tick();
    return decision;
  }

  /** Steps until the release waits on nothing members do (finished, halted, paused at an approval) or `limit` steps. */
  run(limit = 50): ReleaseDecision[] {
    const decisions: ReleaseDecision[] = [];
    for (let round = 0; round < limit; round += 1) {
      if (!['Progressing', 'RollingBack'].includes(this.status.phase)) break;
      decisions.push(this.step());
    }
    return decisions;
  }

  operate(operation: ReleaseOperation): ReleaseOperationResult {
    const result = applyReleaseOperation(this.input(), operation);
    if (result.ok) this.apply(result.decision);
    return result;
  }

  advanceSeconds(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** A change made to a member's Rollout outside the release (an undo, a direct edit). */
  setTemplateOutside(cluster: string, template: PodTemplateSpec): void {
    const rollout = this.rollouts.get(cluster);
    if (rollout) this.rollouts.set(cluster, changed(rollout, template, this.stepsToHealthy));
  }

  /** A rollout operation a person asks of a member directly (an abort). */
  abortMember(cluster: string): void {
    const rollout = this.rollouts.get(cluster);
    if (rollout) this.rollouts.set(cluster, { ...rollout, aborted: true, phase: 'Degraded', stepsLeft: 0 });
  }

  rollout(cluster: string): SimulatedRollout | null | undefined {
    return this.rollouts.get(cluster);
  }

  memberState(cluster: string): string | undefined {
    return this.status.waves.flatMap((wave) => wave.members).find((member) => member.cluster === cluster)?.state;
  }

  private apply(decision: ReleaseDecision): void {
    this.decisions.push(decision);
    this.events.push(...decision.events);
    this.status = decision.status;
    // As the shell does: operations first, so that a rollback's template change lands after its abort.
    for (const { cluster, operation } of decision.memberOperations) {
      const rollout = this.rollouts.get(cluster);
      if (!rollout) continue;
      if (operation.type === 'abort')
        this.rollouts.set(cluster, { ...rollout, aborted: true, phase: 'Degraded', stepsLeft: 0, waitsAtPause: false });
      else if (operation.type === 'retry')
        this.rollouts.set(cluster, { ...rollout, aborted: false, phase: 'Progressing', stepsLeft: this.stepsToHealthy });
      else this.rollouts.set(cluster, { ...rollout, waitsAtPause: false, phase: 'Progressing' });
    }
    for (const { cluster, template } of decision.memberChanges) {
      const rollout = this.rollouts.get(cluster);
      if (rollout) this.rollouts.set(cluster, changed(rollout, template, this.stepsToHealthy));
    }
  }

  private freezeOf(cluster: string): MemberFreeze | null {
    const freeze = this.freezes.get(cluster);
    return freeze !== undefined && freeze.until > this.now ? { window: freeze.window, until: freeze.until } : null;
  }

  private tick(): void {
    for (const [cluster, rollout] of this.rollouts) {
      if (!rollout || this.disconnectedSince.has(cluster) || rollout.aborted || rollout.waitsAtPause || rollout.stepsLeft === 0) continue;
      if (this.freezeOf(cluster) !== null && this.freezes.get(cluster)?.policy === 'hold') continue;
      const stepsLeft = rollout.stepsLeft - 1;
      if (stepsLeft === 1 && this.pausingClusters.delete(cluster)) {
        this.rollouts.set(cluster, { ...rollout, reconciled: true, phase: 'Paused', waitsAtPause: true, stepsLeft });
        continue;
      }
      const broken = rollout.template.spec.containers.some((container) => this.brokenImages.has(container.image ?? ''));
      const done = stepsLeft === 0;
      this.rollouts.set(cluster, {
        ...rollout,
        stepsLeft,
        reconciled: true,
        phase: done ? (broken ? 'Degraded' : 'Healthy') : 'Progressing',
        fullyPromoted: done && !broken,
      });
    }
    this.advanceSeconds(this.secondsPerStep);
  }
}

function settled(template: PodTemplateSpec): SimulatedRollout {
  return { template, phase: 'Healthy', reconciled: true, fullyPromoted: true, aborted: false, waitsAtPause: false, stepsLeft: 0 };
}

function changed(rollout: SimulatedRollout, template: PodTemplateSpec, stepsToHealthy: number): SimulatedRollout {
  return {
    ...rollout,
    template,
    phase: 'Progressing',
    reconciled: false,
    fullyPromoted: false,
    aborted: false,
    waitsAtPause: false,
    stepsLeft: stepsToHealthy,
  };
}
