import { Inject, Injectable } from '@nestjs/common';
import type { FreezeTarget } from '@flotilla/freeze-windows';
import type { NotificationQueue } from '@flotilla/queues';
import {
  breakGlassChange,
  ClusterStore,
  FleetReleaseStore,
  FreezeWindowStore,
  NotificationDecider,
  prismaSession,
  recordNotifications,
  RolloutStore,
  systemScope,
  type AfterCommit,
  type BreakGlassRecord,
  type OrganizationScope,
  type Transaction,
} from '@flotilla/stores';
import { NOTIFICATION_QUEUE } from '../../infrastructure/tokens.js';
import { FreezeGate } from './freeze-gate.js';

/**
 * The notifications of a break-glass override requested or confirmed, on each FreezeWindow whose freeze it breaks (a
 * window in effect now covering its rollout's namespace, or its fleet release's members): decided and stored in the
 * override's transaction, queued after the commit. An override while no freeze covers its target notifies nobody.
 */
@Injectable()
export class BreakGlassNotifier {
  constructor(
    private readonly gate: FreezeGate,
    private readonly windows: FreezeWindowStore,
    private readonly clusters: ClusterStore,
    private readonly rollouts: RolloutStore,
    private readonly fleetReleases: FleetReleaseStore,
    private readonly decider: NotificationDecider,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
  ) {}

  async notify(
    scope: OrganizationScope,
    transaction: Transaction,
    afterCommit: AfterCommit,
    override: BreakGlassRecord,
    now: Date,
  ): Promise<void> {
    const broken = new Set((await this.gate.covering(scope, () => this.targetsOf(scope, override), now)).map((period) => period.window));
    if (broken.size === 0) return;
    const windows = (await this.windows.list(scope)).filter((window) => broken.has(window.name));
    for (const freezeWindow of windows) {
      const notifications = await this.decider.decide(breakGlassChange({ freezeWindow, override, now }));
      if (!notifications) continue;
      const deliveries = await recordNotifications(prismaSession(transaction), notifications);
      for (const delivery of deliveries) afterCommit.add(() => this.queue.deliver(delivery.id, delivery.attempts));
    }
  }

  /** Where the override's target releases: its rollout's namespace, or its fleet release's namespace in each member cluster. */
  private async targetsOf(scope: OrganizationScope, override: BreakGlassRecord): Promise<FreezeTarget[]> {
    if (override.targetType === 'FleetRelease') {
      const release = await this.fleetReleases.findById(scope, override.targetId);
      if (!release) return [];
      const members = release.status.waves.flatMap((wave) => wave.members.map((member) => member.cluster));
      return this.gate.clusterTargets(scope, members, release.spec.rollout.namespace);
    }
    const rollout = await this.rollouts.findById(systemScope('break-glass-notifier'), override.targetId);
    if (!rollout || rollout.organizationId !== scope.organizationId) return [];
    const cluster = (await this.clusters.list(scope)).find((candidate) => candidate.id === rollout.clusterId);
    return cluster ? [{ clusterName: cluster.name, clusterLabels: cluster.labels, namespace: rollout.namespace }] : [];
  }
}
