import { hasSubscriptionAnnotations, planNotifications, type NotificationEvent, type NotificationSubject } from '@flotilla/notifications';
import type { NotificationConfigStore } from './notification-config-store.js';
import type {
  NotificationDeliveryStore,
  NotificationSubjectRef,
  OrganizationBound,
  ReconcileNotifications,
} from './notification-delivery-store.js';
import type { NotificationMuteStore } from './notification-mute-store.js';
import type { ParsedConfigurations } from './parsed-configurations.js';
import type { Logger } from '@flotilla/service-runtime';

/** One state change of a subject (a rollout, an analysis run's rollout, a fleet rollout): what its notifications are decided on. */
export interface SubjectChange {
  organizationId: string;
  subject: NotificationSubjectRef;
  /** The subject's annotations, where its `notifications.argoproj.io/subscribe…` subscriptions are. */
  annotations: Readonly<Record<string, string>>;
  /** Identifies the change: the same change decided again gives the same dedupe keys. */
  changeId: string;
  events: NotificationEvent[];
  /** The subject as templates read it; built only when it may be subscribed. */
  planSubject: () => NotificationSubject;
  now: Date;
}

export interface NotificationDeciderOptions {
  bound: OrganizationBound;
  /** How long the answer to "does the organization subscribe objects by label" is kept. */
  rulesTtlMs: number;
}

/**
 * Decides the notifications of a subject's change, for the change's transaction to store: the configuration in
 * effect (the defaults, the organization's, the subject's namespace's), the subject's `oncePer` history and the mutes
 * in effect. A subject with no subscription annotation in an organization whose configurations subscribe nothing by
 * label costs no query: the organization's answer is kept for `rulesTtlMs`.
 */
export class NotificationDecider {
  private readonly rules = new Map<string, { found: boolean; until: number }>();

  constructor(
    private readonly configs: NotificationConfigStore,
    private readonly deliveries: NotificationDeliveryStore,
    private readonly mutes: NotificationMuteStore,
    private readonly parsed: ParsedConfigurations,
    private readonly logger: Logger,
    private readonly options: NotificationDeciderOptions,
  ) {}

  async decide(change: SubjectChange): Promise<ReconcileNotifications | undefined> {
    const { organizationId, subject, now } = change;
    if (!(await this.maySubscribe(organizationId, change.annotations, now))) return undefined;
    const [inEffect, history] = await Promise.all([
      this.configs.inEffect(organizationId, subject.placement),
      this.deliveries.history(organizationId, subject.id),
    ]);
    const plan = planNotifications({
      changeId: change.changeId,
      events: change.events,
      subject: change.planSubject(),
      configuration: this.parsed.effective(inEffect),
      history,
      now,
    });
    for (const failure of plan.failures)
      this.logger.warn({ subjectId: subject.id, subject: subject.name, ...failure }, 'a subscribed notification could not be made');
    if (plan.notifications.length === 0 && plan.remember.length === 0 && plan.forget.length === 0) return undefined;
    const mutes = plan.notifications.length === 0 ? [] : await this.mutes.inEffect(organizationId, now);
    return {
      decision: { organizationId, subject, notifications: plan.notifications, mutes, bound: this.options.bound, now },
      remember: plan.remember,
      forget: plan.forget,
    };
  }

  /**
   * Whether an object with these annotations may be subscribed to anything: it has a subscription annotation, or a
   * configuration of its organization subscribes objects by label. A source that must read more to describe its
   * change asks this first.
   */
  async maySubscribe(organizationId: string, annotations: Readonly<Record<string, string>>, now: Date): Promise<boolean> {
    return hasSubscriptionAnnotations(annotations) || (await this.subscribesByLabel(organizationId, now));
  }

  private async subscribesByLabel(organizationId: string, now: Date): Promise<boolean> {
    const known = this.rules.get(organizationId);
    if (known && known.until > now.getTime()) return known.found;
    const found = await this.configs.hasSubscriptionRules(organizationId);
    this.rules.set(organizationId, { found, until: now.getTime() + this.options.rulesTtlMs });
    return found;
  }
}
