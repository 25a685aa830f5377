import type { RolloutSpec } from '@flotilla/argo-spec';
import { hasSubscriptionAnnotations, planNotifications, rolloutSubject } from '@flotilla/notifications';
import type { RolloutEvent, RolloutStatus } from '@flotilla/rollout-engine';
import {
  rolloutTargetName,
  type LoadedRollout,
  type NotificationConfigStore,
  type NotificationDeliveryStore,
  type NotificationMuteStore,
  type OrganizationBound,
  type ParsedConfigurations,
  type ReconcileNotifications,
} from '@flotilla/stores';
import type { Logger } from '@flotilla/service-runtime';

/** The rollout as one reconcile leaves it: what its notifications are decided on. */
export interface RolloutChange {
  rollout: LoadedRollout;
  spec: RolloutSpec;
  generation: number;
  status: RolloutStatus;
  events: readonly RolloutEvent[];
  /** The version the change writes: with the rollout's id, what identifies the change. */
  version: number;
  now: Date;
}

export interface RolloutNotificationOptions {
  bound: OrganizationBound;
  /** How long the answer to "does the organization subscribe objects by label" is kept. */
  rulesTtlMs: number;
}

/**
 * Decides the notifications of a rollout's change for the reconcile to store in its transaction. A rollout with no
 * subscription annotation in an organization whose configurations subscribe nothing by label costs no query: the
 * organization's answer is kept for `rulesTtlMs`.
 */
export class RolloutNotifications {
  private readonly rules = new Map<string, { found: boolean; until: number }>();

  constructor(
    private readonly configs: NotificationConfigStore,
    private readonly deliveries: NotificationDeliveryStore,
    private readonly mutes: NotificationMuteStore,
    private readonly parsed: ParsedConfigurations,
    private readonly logger: Logger,
    private readonly options: RolloutNotificationOptions,
  ) {}

  async decide(change: RolloutChange): Promise<ReconcileNotifications | undefined> {
    const { rollout, now } = change;
    if (!hasSubscriptionAnnotations(rollout.annotations) && !(await this.subscribesByLabel(rollout.organizationId, now))) return undefined;
    const placement = { clusterId: rollout.clusterId, namespace: rollout.namespace };
    const [inEffect, history] = await Promise.all([
      this.configs.inEffect(rollout.organizationId, placement),
      this.deliveries.history(rollout.organizationId, rollout.id),
    ]);
    const plan = planNotifications({
      changeId: `${rollout.id}/${change.version}`,
      events: change.events.map((event) => ({ source: 'rollout', event })),
      subject: rolloutSubject({ ...rollout, generation: change.generation, spec: change.spec, status: change.status }),
      configuration: this.parsed.effective(inEffect),
      history,
      now,
    });
    for (const failure of plan.failures)
      this.logger.warn({ rolloutId: rollout.id, ...failure }, 'a subscribed notification could not be made');
    if (plan.notifications.length === 0 && plan.remember.length === 0 && plan.forget.length === 0) return undefined;
    const mutes = plan.notifications.length === 0 ? [] : await this.mutes.inEffect(rollout.organizationId, now);
    return {
      decision: {
        organizationId: rollout.organizationId,
        subject: {
          kind: 'Rollout',
          id: rollout.id,
          name: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name),
          placement,
        },
        notifications: plan.notifications,
        mutes,
        bound: this.options.bound,
        now,
      },
      remember: plan.remember,
      forget: plan.forget,
    };
  }

  private async subscribesByLabel(organizationId: string, now: Date): Promise<boolean> {
    const known = this.rules.get(organizationId);
    if (known && known.until > now.getTime()) return known.found;
    const found = await this.configs.hasSubscriptionRules(organizationId);
    this.rules.set(organizationId, { found, until: now.getTime() + this.options.rulesTtlMs });
    return found;
  }
}
