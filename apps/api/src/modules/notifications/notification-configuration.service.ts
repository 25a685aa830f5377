import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  evaluateTrigger,
  planOnDemand,
  renderTemplate,
  rolloutSubject,
  type InspectionFailure,
  type NotificationConfiguration,
  type NotificationSubject,
  type TriggerCondition,
} from '@flotilla/notifications';
import type { NotificationQueue } from '@flotilla/queues';
import { ErrorCode, FlotillaError, type FieldProblem } from '@flotilla/service-runtime';
import {
  AnalysisQueries,
  AuditStore,
  ClusterStore,
  inTransaction,
  NotificationConfigStore,
  NotificationDeliveryStore,
  NotificationMuteStore,
  organizationScope,
  ParsedConfigurations,
  prismaSession,
  RolloutStore,
  rolloutTargetName,
  type DatabaseClient,
  type NotificationConfigsInEffect,
  type NotificationPlacement,
  type OrganizationScope,
  type RolloutWithCluster,
} from '@flotilla/stores';
import type { ApiConfig } from '../../config/api-config.js';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { API_CONFIG, DATABASE, NOTIFICATION_QUEUE } from '../../infrastructure/tokens.js';
import type { RolloutRef } from '../rollouts/rollout.model.js';
import {
  NotificationConfigurationLayerModel,
  type NotificationRecipientInput,
  type NotificationRenderingModel,
  type NotificationTemplateModel,
  type NotificationTriggerConditionModel,
  type NotificationTriggerEvaluationModel,
  type NotificationTriggerModel,
} from './notification-configuration.models.js';
import type { NotificationDeliveryModel } from './notifications.models.js';
import { toDeliveryModel } from './notifications.service.js';

/** Most recipients one `sendNotification` takes. */
const MAX_RECIPIENTS = 20;
/** The analysis runs templates see as `.analysisRuns`, newest first. */
const ANALYSIS_RUNS_SEEN = 100;

/** A place's configuration, parsed and layered, with what each layer defines. */
interface ConfigurationAt {
  effective: NotificationConfiguration;
  layerOf: (kind: 'templates' | 'triggers', name: string) => NotificationConfigurationLayerModel;
}

/**
 * The notification configuration as it is in effect at a place, rendered and evaluated over real rollouts, and
 * notifications sent by hand: what `flotilla notifications template|trigger` read and do. Answers never hold a Secret's
 * values: templates cannot read them, and services' settings are not answered.
 */
@Injectable()
export class NotificationConfigurationService {
  private readonly parsed = new ParsedConfigurations();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
    private readonly configs: NotificationConfigStore,
    private readonly deliveries: NotificationDeliveryStore,
    private readonly mutes: NotificationMuteStore,
    private readonly clusters: ClusterStore,
    private readonly rollouts: RolloutStore,
    private readonly analysis: AnalysisQueries,
    private readonly audit: AuditStore,
  ) {}

  /** The templates in effect in a cluster's namespace (or, with neither given, the organization's), by name. */
  async templates(principal: Principal, cluster: string | undefined, namespace: string | undefined): Promise<NotificationTemplateModel[]> {
    const scope = organizationScope(principal.organizationId);
    const { effective, layerOf } = await this.configurationAt(scope, await this.placementOf(scope, cluster, namespace));
    return sortedValues(effective.templates).map((template) => ({
      name: template.name,
      layer: layerOf('templates', template.name),
      message: template.message ?? null,
      title: template.title ?? null,
      fields: template.fields,
    }));
  }

  /** The triggers in effect in a cluster's namespace (or, with neither given, the organization's), by name. */
  async triggers(principal: Principal, cluster: string | undefined, namespace: string | undefined): Promise<NotificationTriggerModel[]> {
    const scope = organizationScope(principal.organizationId);
    const { effective, layerOf } = await this.configurationAt(scope, await this.placementOf(scope, cluster, namespace));
    return sortedValues(effective.triggers).map((trigger) => ({
      name: trigger.name,
      layer: layerOf('triggers', trigger.name),
      conditions: trigger.conditions.map(toConditionModel),
    }));
  }

  /** A template rendered over a rollout as it is now, with the configuration of the rollout's namespace. */
  async render(principal: Principal, template: string, ref: RolloutRef): Promise<NotificationRenderingModel> {
    const { rollout, subject, configuration } = await this.rolloutContext(principal, ref);
    const rendered = renderTemplate({ configuration, template, subject, now: new Date() });
    if ('code' in rendered) throw inspectionError(rendered, 'template');
    return {
      template,
      rollout: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name),
      message: rendered.message,
      title: rendered.title ?? null,
      fields: rendered.fields,
    };
  }

  /** A trigger's conditions evaluated over a rollout as it is now, with the configuration of the rollout's namespace. */
  async evaluate(principal: Principal, trigger: string, ref: RolloutRef): Promise<NotificationTriggerEvaluationModel> {
    const { rollout, subject, configuration } = await this.rolloutContext(principal, ref);
    const results = evaluateTrigger({ configuration, trigger, subject, now: new Date() });
    if ('code' in results) throw inspectionError(results, 'trigger');
    return {
      trigger,
      rollout: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name),
      conditions: results.map((result) => ({ ...toConditionModel(result.condition), holds: result.holds, error: result.error ?? null })),
    };
  }

  /**
   * Renders a template over a rollout for each recipient and stores one delivery each in the outbox, audited, for the
   * sender to deliver as any other: mutes in effect and the organization's bound apply.
   */
  async send(
    principal: Principal,
    template: string,
    ref: RolloutRef,
    recipients: readonly NotificationRecipientInput[],
    requestId: string,
  ): Promise<NotificationDeliveryModel[]> {
    assertRecipients(recipients);
    const { rollout, subject, configuration } = await this.rolloutContext(principal, ref);
    const now = new Date();
    const planned = planOnDemand({ configuration, template, subject, now, destinations: recipients, sendId: randomUUID() });
    if ('code' in planned)
      throw inspectionError(planned, planned.destination === undefined ? 'template' : `recipients[${planned.destination}].service`);
    const scope = organizationScope(principal.organizationId);
    const name = rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name);
    const stored = await inTransaction(this.database, async (transaction, afterCommit) => {
      const toSend = await this.deliveries.record(scope, transaction, {
        organizationId: principal.organizationId,
        subject: { kind: 'Rollout', id: rollout.id, name, placement: { clusterId: rollout.clusterId, namespace: rollout.namespace } },
        notifications: planned,
        mutes: await this.mutes.inEffect(principal.organizationId, now),
        bound: { perMinute: this.config.notificationsPerOrganizationPerMinute },
        now,
      });
      afterCommit.add(async () => {
        await Promise.all(toSend.map((record) => this.queue.deliver(record.id, record.attempts)));
      });
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        {
          actor: actorOf(principal),
          action: 'notification.sent',
          targetType: 'Rollout',
          targetName: name,
          targetId: rollout.id,
          after: { template, recipients: recipients.map(({ service, recipient }) => ({ service, recipient })) },
          requestId,
        },
      ]);
      return this.deliveries.byDedupeKeys(
        scope,
        planned.map((notification) => notification.dedupeKey),
        transaction,
      );
    });
    return stored.map(toDeliveryModel);
  }

  private async rolloutContext(
    principal: Principal,
    ref: RolloutRef,
  ): Promise<{ rollout: RolloutWithCluster; subject: NotificationSubject; configuration: NotificationConfiguration }> {
    const scope = organizationScope(principal.organizationId);
    const rollout = await this.rollouts.find(scope, ref);
    if (!rollout)
      throw new FlotillaError(
        ErrorCode.RolloutNotFound,
        `rollout ${rolloutTargetName(ref.cluster, ref.namespace, ref.name)} was not found`,
        [{ path: 'rollout', message: 'no such rollout' }],
      );
    const [{ effective }, runs] = await Promise.all([
      this.configurationAt(scope, { clusterId: rollout.clusterId, namespace: rollout.namespace }),
      this.analysis.analysisRuns(
        scope,
        { cluster: ref.cluster, namespace: ref.namespace, rollout: ref.name },
        { limit: ANALYSIS_RUNS_SEEN, afterId: undefined },
      ),
    ]);
    return { rollout, subject: rolloutSubject({ ...rollout, analysisRuns: runs }), configuration: effective };
  }

  private async configurationAt(scope: OrganizationScope, placement: NotificationPlacement): Promise<ConfigurationAt> {
    const inEffect = await this.configs.inEffect(scope.organizationId, placement);
    return { effective: this.parsed.effective(inEffect), layerOf: (kind, name) => layerOf(inEffect, kind, name) };
  }

  /** Where to read the configuration: a cluster's namespace, or with neither given, the organization. */
  private async placementOf(
    scope: OrganizationScope,
    cluster: string | undefined,
    namespace: string | undefined,
  ): Promise<NotificationPlacement> {
    if (cluster === undefined && namespace === undefined) return undefined;
    if (cluster === undefined || namespace === undefined)
      throw new FlotillaError(ErrorCode.InputInvalid, 'a namespace is read with its cluster', [
        { path: cluster === undefined ? 'cluster' : 'namespace', message: 'give both cluster and namespace, or neither' },
      ]);
    const found = await this.clusters.findByName(scope, cluster);
    if (!found)
      throw new FlotillaError(ErrorCode.ClusterNotFound, `cluster ${cluster} was not found`, [
        { path: 'cluster', message: 'no such cluster' },
      ]);
    return { clusterId: found.id, namespace };
  }
}

/** Which layer defines a name: the namespace's ConfigMap, else the organization's, else Argo's defaults. */
function layerOf(inEffect: NotificationConfigsInEffect, kind: 'templates' | 'triggers', name: string): NotificationConfigurationLayerModel {
  const key = `${kind === 'templates' ? 'template' : 'trigger'}.${name}`;
  if (inEffect.namespace && Object.hasOwn(inEffect.namespace.configData, key)) return NotificationConfigurationLayerModel.Namespace;
  if (inEffect.organization && Object.hasOwn(inEffect.organization.configData, key))
    return NotificationConfigurationLayerModel.Organization;
  return NotificationConfigurationLayerModel.Default;
}

function sortedValues<T extends { name: string }>(byName: Record<string, T>): T[] {
  return Object.values(byName).sort((a, b) => a.name.localeCompare(b.name));
}

function toConditionModel(condition: TriggerCondition): NotificationTriggerConditionModel {
  return {
    when: condition.when ?? null,
    send: condition.send,
    oncePer: condition.oncePer ?? null,
    description: condition.description ?? null,
  };
}

const INSPECTION_ERROR_CODES: Record<InspectionFailure['code'], ErrorCode> = {
  'template/unknown': ErrorCode.NotificationTemplateNotFound,
  'trigger/unknown': ErrorCode.NotificationTriggerNotFound,
  'template/render': ErrorCode.InputInvalid,
  'service/unknown': ErrorCode.InputInvalid,
};

/** An unknown name or a template that fails, refused with the path of the argument at fault. */
function inspectionError(failure: InspectionFailure, path: string): FlotillaError {
  const problem: FieldProblem = { path, message: failure.message };
  return new FlotillaError(INSPECTION_ERROR_CODES[failure.code], failure.message, [problem]);
}

/** `sendNotification`'s recipients, each problem refused with its path. */
function assertRecipients(recipients: readonly NotificationRecipientInput[]): void {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS)
    throw new FlotillaError(ErrorCode.InputInvalid, `a notification goes to 1 to ${MAX_RECIPIENTS} recipients`, [
      { path: 'recipients', message: `give 1 to ${MAX_RECIPIENTS} recipients` },
    ]);
  recipients.forEach((recipient, index) => {
    if (recipient.service.length === 0 || recipient.service.length > 253)
      throw new FlotillaError(ErrorCode.InputInvalid, 'a recipient names its service', [
        { path: `recipients[${index}].service`, message: 'must be 1 to 253 characters' },
      ]);
    if (recipient.recipient.length > 1024)
      throw new FlotillaError(ErrorCode.InputInvalid, 'a recipient is at most 1024 characters', [
        { path: `recipients[${index}].recipient`, message: 'must be at most 1024 characters' },
      ]);
  });
}
