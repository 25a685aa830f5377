import { Inject, Injectable } from '@nestjs/common';
import {
  argumentsToPass,
  isOrganizationScoped,
  isPlacedEitherWay,
  jsonEqual,
  parseManifests,
  type ArgoManifest,
  type ExperimentManifest,
  type ExperimentSpec,
  generatedName,
  type FleetRolloutManifest,
  type FreezeWindowManifest,
  type Manifest,
  type ManifestKind,
  type NamedManifest,
  type NotificationManifest,
} from '@flotilla/argo-spec';
import { validateAnalysisSpec, type AnalysisSpecValidation } from '@flotilla/analysis';
import {
  inTransaction,
  isUniqueViolation,
  type AfterCommit,
  type DatabaseClient,
  type Transaction,
  prismaSession,
  AuditStore,
  organizationScope,
  type AuditEntry,
  rolloutTargetName,
  type OrganizationScope,
  RolloutStore,
  type RolloutRecord,
  ExperimentStore,
  type ExperimentRecord,
  AnalysisTemplateStore,
  ClusterStore,
  FleetReleaseStore,
  FleetRolloutStore,
  FreezeWindowStore,
  NotificationConfigStore,
  type TemplateApplied,
  type TemplateManifest,
  type TemplateSpecByName,
} from '@flotilla/stores';
import { actorOf, roleAllows, type Principal } from '../../common/auth/principal.js';
import { ErrorCode, FlotillaError, type FieldProblem } from '@flotilla/service-runtime';
import { assertDnsLabel, randomNameSuffix } from '../../common/kubernetes-names.js';
import { API_CONFIG, DATABASE, RECONCILE_QUEUE } from '../../infrastructure/tokens.js';
import type { ApiConfig } from '../../config/api-config.js';
import { hubLossAnnotationProblems } from '../agent-gateway/hub-loss.js';
import { assertNotFleetOwned } from '../rollouts/fleet-ownership.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { ApplyAction, type AppliedDocument } from './applied-document.model.js';
import { notificationDocumentProblems, secretValuesOf } from './notification-documents.js';
import type { ReconcileQueue } from '@flotilla/queues';

/** The namespace of a cluster namespaced documents are applied to. */
interface Placement {
  clusterId: string;
  clusterName: string;
  namespace: string;
}

interface ApplyTarget {
  principal: Principal;
  scope: OrganizationScope;
  /** Warnings of each document, by document index. */
  warnings: readonly string[][];
  /** Absent when the documents belong to the organization (FleetRollouts): they go to no cluster. */
  placement: Placement | undefined;
  requestId: string;
}

type PlacedTarget = ApplyTarget & { placement: Placement };

interface DocumentOutcome {
  applied: AppliedDocument;
  audit: AuditEntry | undefined;
  rolloutChanged: RolloutRecord | undefined;
  experimentChanged?: { id: string; version: number };
}

const AUDIT_TARGET: Record<ManifestKind, string> = {
  Rollout: 'rollout',
  AnalysisTemplate: 'analysis_template',
  ClusterAnalysisTemplate: 'cluster_analysis_template',
  Experiment: 'experiment',
  FleetRollout: 'fleet_rollout',
  FreezeWindow: 'freeze_window',
  ConfigMap: 'notification_configmap',
  Secret: 'notification_secret',
};

/** Kinds shared beyond one namespace of one cluster, which only admins may apply, and why. */
const ADMIN_KINDS: Partial<Record<ManifestKind, string>> = {
  ClusterAnalysisTemplate: 'ClusterAnalysisTemplates are shared by every cluster: applying one needs the admin role',
  FleetRollout: 'a FleetRollout releases to many clusters of the organization: applying one needs the admin role',
  FreezeWindow: 'a FreezeWindow holds releases across the organization: applying one needs the admin role',
};

const CONCURRENT_APPLY_ATTEMPTS = 3;

/** Names drawn for an Experiment's `generateName` before giving up: each has 27^5 choices, so a second is rare. */
const GENERATED_NAME_ATTEMPTS = 5;

/** What the stores answer for an apply, as the API reports it. */
const APPLY_ACTION: Record<'Created' | 'Updated' | 'Unchanged', ApplyAction> = {
  Created: ApplyAction.Created,
  Updated: ApplyAction.Updated,
  Unchanged: ApplyAction.Unchanged,
};

/** Stored templates by name, with the arguments a reference must pass to each (those they give no value). */
function argumentsByTemplate(templates: readonly TemplateSpecByName[]): Map<string, string[]> {
  return new Map(templates.map((template) => [template.name, argumentsToPass(template.spec)]));
}

function templateManifest(document: ArgoManifest & { kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate' }): TemplateManifest {
  return { name: document.metadata.name, annotations: document.metadata.annotations ?? {}, spec: document.spec };
}

function invalidManifests(problems: FieldProblem[], hint?: string): FlotillaError {
  const count = problems.length;
  return new FlotillaError(
    ErrorCode.ManifestInvalid,
    `the manifests have ${count} problem${count === 1 ? '' : 's'}; nothing was applied${hint === undefined ? '' : ` (${hint})`}`,
    problems,
  );
}

const isNotificationDocument = (document: Manifest): document is NotificationManifest => isPlacedEitherWay(document.kind);

/** The target of namespaced documents, which validation gave a placement: they are never applied without one. */
function placed(target: ApplyTarget): PlacedTarget {
  if (target.placement === undefined) throw new Error('namespaced documents reached the store without a cluster and namespace');
  return { ...target, placement: target.placement };
}

/** Where the audit and the answer place a document: its namespace, if it has one, and how the audit names it. */
function locationOf(target: ApplyTarget, document: NamedManifest): { namespace: string | null; targetName: string } {
  const name = document.metadata.name;
  if (document.kind === 'ClusterAnalysisTemplate' || isOrganizationScoped(document.kind) || target.placement === undefined) {
    return { namespace: null, targetName: name };
  }
  const { clusterName, namespace } = target.placement;
  return { namespace, targetName: rolloutTargetName(clusterName, namespace, name) };
}

/**
 * Why an experiment's spec may not change: it belongs to a rollout's step, it has run its course, or the change is to
 * the templates it already runs (their ReplicaSets' pods and selectors are fixed when they are made).
 */
function experimentUpdateRefusal(existing: ExperimentRecord, spec: ExperimentSpec): string | undefined {
  if (existing.stepIndex !== null || existing.rolloutId !== null)
    return 'an experiment of that name was started by a rollout step; it is not applied';
  if (!['Pending', 'Running'].includes(existing.phase))
    return `the experiment has completed (${existing.phase}); apply it under a new name to run it again`;
  if (!jsonEqual(existing.spec.templates, spec.templates))
    return 'the templates of a running experiment cannot change; apply it under a new name to run other templates';
  return undefined;
}

@Injectable()
export class ManifestsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly audit: AuditStore,
    private readonly rollouts: RolloutsService,
    private readonly rolloutStore: RolloutStore,
    private readonly experiments: ExperimentStore,
    private readonly templates: AnalysisTemplateStore,
    private readonly clusters: ClusterStore,
    private readonly fleetReleases: FleetReleaseStore,
    private readonly fleetRollouts: FleetRolloutStore,
    private readonly freezeWindows: FreezeWindowStore,
    private readonly notificationConfigs: NotificationConfigStore,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
  ) {}

  /**
   * Validates every document and, only when all are valid, upserts them in one transaction. A Rollout's
   * generation grows only when its spec really changed. Namespaced documents need the cluster and namespace;
   * organization-scoped ones (FleetRollouts) need neither, and the two are never applied together.
   */
  async apply(
    principal: Principal,
    clusterName: string | undefined,
    namespace: string | undefined,
    yaml: string,
    requestId: string,
  ): Promise<AppliedDocument[]> {
    if (namespace !== undefined) assertDnsLabel('namespace', namespace);
    if (Buffer.byteLength(yaml, 'utf8') > this.config.maxRequestBytes) {
      throw new FlotillaError(ErrorCode.RequestTooLarge, `the manifests exceed ${this.config.maxRequestBytes} bytes`, [
        { path: 'yaml', message: `larger than ${this.config.maxRequestBytes} bytes` },
      ]);
    }
    const place = clusterName !== undefined && namespace !== undefined ? { clusterName, namespace } : undefined;
    const { documents, warnings, placement } = await this.validate(principal, place, yaml);
    const scope = organizationScope(principal.organizationId);
    const target: ApplyTarget = { principal, scope, warnings, placement, requestId };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inTransaction(this.database, (transaction, afterCommit) => this.store(transaction, afterCommit, target, documents));
      } catch (error) {
        // Two applies creating the same object at once: the loser retries and finds it existing.
        if (!isUniqueViolation(error) || attempt === CONCURRENT_APPLY_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Validates the documents: with a cluster and namespace, against the templates stored there and for the whole
   * organization, read at once; without them, as documents of the organization, which only FleetRollouts are.
   */
  private async validate(
    principal: Principal,
    place: { clusterName: string; namespace: string } | undefined,
    yaml: string,
  ): Promise<{ documents: Manifest[]; warnings: string[][]; placement: Placement | undefined }> {
    const { documents, placement } =
      place === undefined ? await this.parseForOrganization(principal, yaml) : await this.parseForNamespace(principal, place, yaml);
    const analysis = this.checkAnalysis(documents);
    const analysisProblems = analysis.flatMap((check, documentIndex) => check.errors.map((issue) => ({ documentIndex, ...issue })));
    const hubLossProblems = documents.flatMap((document, documentIndex) =>
      document.kind === 'Rollout'
        ? hubLossAnnotationProblems(document.metadata.annotations).map((issue) => ({ documentIndex, ...issue }))
        : [],
    );
    // Organization-scoped documents go to no cluster, even when one was named; notification ones go with the others.
    const organizationWide = place === undefined || documents.some((document) => isOrganizationScoped(document.kind));
    const notificationProblems = documents.flatMap((document, documentIndex) =>
      isNotificationDocument(document)
        ? notificationDocumentProblems(document, documentIndex, organizationWide ? 'organization' : 'namespace')
        : [],
    );
    const problems = [...analysisProblems, ...hubLossProblems, ...notificationProblems];
    if (problems.length > 0) throw invalidManifests(problems);
    const organizationNotifications = organizationWide ? documents.findIndex(isNotificationDocument) : -1;
    if (organizationNotifications >= 0 && !roleAllows(principal.role, 'admin')) {
      throw new FlotillaError(
        ErrorCode.Forbidden,
        "the organization's notification configuration is shared by every cluster: applying it needs the admin role",
        [{ documentIndex: organizationNotifications, path: 'kind', message: 'needs the admin role' }],
      );
    }
    const forbidden = documents.findIndex((document) => ADMIN_KINDS[document.kind] !== undefined);
    const forbiddenKind = documents[forbidden]?.kind;
    if (forbiddenKind !== undefined && !roleAllows(principal.role, 'admin')) {
      throw new FlotillaError(ErrorCode.Forbidden, ADMIN_KINDS[forbiddenKind] ?? 'needs the admin role', [
        { documentIndex: forbidden, path: 'kind', message: 'needs the admin role' },
      ]);
    }
    return {
      documents,
      warnings: analysis.map((check) => check.warnings.map((issue) => `${issue.path}: ${issue.message}`)),
      placement: organizationWide ? undefined : placement,
    };
  }

  /**
   * Documents applied with no cluster or namespace: only organization-scoped kinds are accepted, and the
   * ClusterAnalysisTemplates a FleetRollout's waves run must exist.
   */
  private async parseForOrganization(principal: Principal, yaml: string): Promise<{ documents: Manifest[]; placement: undefined }> {
    const clusterWide = await this.templates.clusterWideSpecs(organizationScope(principal.organizationId));
    const result = parseManifests(yaml, {
      knownAnalysisTemplates: new Map(),
      knownClusterAnalysisTemplates: argumentsByTemplate(clusterWide),
    });
    if (!result.ok) throw invalidManifests(result.errors, 'cluster and namespace are required to apply namespaced documents');
    return { documents: result.documents, placement: undefined };
  }

  /** Reads the cluster and the templates the documents may refer to at once, then parses. */
  private async parseForNamespace(
    principal: Principal,
    { clusterName, namespace }: { clusterName: string; namespace: string },
    yaml: string,
  ): Promise<{ documents: Manifest[]; placement: Placement }> {
    const scope = organizationScope(principal.organizationId);
    const [cluster, namespaced, clusterWide] = await Promise.all([
      this.clusters.findByName(scope, clusterName),
      this.templates.namespacedSpecs(scope, clusterName, namespace),
      this.templates.clusterWideSpecs(scope),
    ]);
    if (!cluster)
      throw new FlotillaError(ErrorCode.ClusterNotFound, `cluster ${clusterName} was not found`, [
        { path: 'cluster', message: 'no such cluster' },
      ]);
    const result = parseManifests(yaml, {
      namespace,
      knownAnalysisTemplates: argumentsByTemplate(namespaced),
      knownClusterAnalysisTemplates: argumentsByTemplate(clusterWide),
    });
    if (!result.ok) throw invalidManifests(result.errors);
    return { documents: result.documents, placement: { clusterId: cluster.id, clusterName, namespace } };
  }

  /** What Argo finds only when a run starts — conditions that do not compile, intervals too short — checked now. */
  private checkAnalysis(documents: Manifest[]): AnalysisSpecValidation[] {
    return documents.map((document) =>
      document.kind === 'AnalysisTemplate' || document.kind === 'ClusterAnalysisTemplate'
        ? validateAnalysisSpec(document.spec, { minimumIntervalSeconds: this.config.minimumMetricIntervalSeconds })
        : { errors: [], warnings: [] },
    );
  }

  private async store(
    transaction: Transaction,
    afterCommit: AfterCommit,
    target: ApplyTarget,
    documents: Manifest[],
  ): Promise<AppliedDocument[]> {
    const outcomes: DocumentOutcome[] = [];
    for (const [documentIndex, document] of documents.entries()) {
      outcomes.push(
        document.kind === 'FleetRollout' || document.kind === 'FreezeWindow'
          ? await this.storeOrganizationDocument(transaction, target, documentIndex, document)
          : isNotificationDocument(document)
            ? await this.storeNotificationDocument(transaction, target, documentIndex, document)
            : await this.storeDocument(transaction, placed(target), documentIndex, document),
      );
    }
    const entries = outcomes.flatMap((outcome) => (outcome.audit ? [outcome.audit] : []));
    await this.audit.append(organizationScope(target.principal.organizationId), prismaSession(transaction), afterCommit, entries);
    for (const { rolloutChanged, experimentChanged } of outcomes) {
      if (experimentChanged) afterCommit.add(() => this.reconcileQueue.requestExperiment(experimentChanged.id, experimentChanged.version));
      if (!rolloutChanged || !target.placement) continue;
      this.rollouts.announce(afterCommit, { ...rolloutChanged, cluster: { name: target.placement.clusterName } });
      this.rollouts.requestReconcile(afterCommit, rolloutChanged.id, rolloutChanged.version);
    }
    return outcomes.map((outcome) => outcome.applied);
  }

  private storeDocument(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ArgoManifest,
  ): Promise<DocumentOutcome> {
    switch (document.kind) {
      case 'Rollout':
        return this.storeRollout(transaction, target, documentIndex, document);
      case 'Experiment':
        return this.storeExperiment(transaction, target, documentIndex, document);
      case 'AnalysisTemplate':
        return this.storeAnalysisTemplate(transaction, target, documentIndex, document);
      case 'ClusterAnalysisTemplate':
        return this.storeClusterAnalysisTemplate(transaction, target, documentIndex, document);
    }
  }

  private async storeRollout(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ArgoManifest & { kind: 'Rollout' },
  ): Promise<DocumentOutcome> {
    const applied = await this.rolloutStore.apply(target.scope, transaction, {
      clusterId: target.placement.clusterId,
      namespace: target.placement.namespace,
      name: document.metadata.name,
      labels: document.metadata.labels ?? {},
      annotations: document.metadata.annotations ?? {},
      spec: document.spec,
      appliedBy: actorOf(target.principal),
    });
    const { rollout } = applied;
    const before = applied.action === 'Updated' ? applied.previousSpec : undefined;
    // Checked on the row as updated, which stays locked until the transaction ends: refusing rolls the update back.
    if (before !== undefined && !jsonEqual(before.template, document.spec.template)) {
      await assertNotFleetOwned(
        this.fleetReleases,
        { ...rollout, targetName: rolloutTargetName(target.placement.clusterName, target.placement.namespace, rollout.name) },
        (message) => [{ documentIndex, path: 'spec.template', message }],
        transaction,
      );
    }
    const action = APPLY_ACTION[applied.action];
    return this.outcome(target, documentIndex, document, action, rollout.generation, rollout.id, before, document.spec, rollout);
  }

  private async storeExperiment(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ExperimentManifest,
  ): Promise<DocumentOutcome> {
    const { spec, metadata } = document;
    if (metadata.name === undefined)
      return this.createGeneratedExperiment(transaction, target, documentIndex, document, metadata.generateName);
    const named = { ...document, metadata };
    const key = { clusterId: target.placement.clusterId, namespace: target.placement.namespace, name: metadata.name };
    const existing = await this.experiments.find(target.scope, transaction, key);
    if (!existing) {
      const created = await this.experiments.create(target.scope, transaction, { ...key, spec });
      return {
        ...this.outcome(target, documentIndex, named, ApplyAction.Created, created.generation, created.id, undefined, spec),
        experimentChanged: created,
      };
    }
    if (jsonEqual(existing.spec, spec))
      return this.outcome(target, documentIndex, named, ApplyAction.Unchanged, existing.generation, existing.id);
    const refusal = experimentUpdateRefusal(existing, spec);
    if (refusal !== undefined) throw invalidManifests([{ documentIndex, path: 'metadata.name', message: refusal }]);
    const updated = await this.experiments.updateSpec(target.scope, transaction, existing.id, spec);
    return {
      ...this.outcome(target, documentIndex, named, ApplyAction.Updated, updated.generation, updated.id, existing.spec, spec),
      experimentChanged: updated,
    };
  }

  /** An Experiment applied with a `generateName`: created anew, under a name no experiment of the namespace has. */
  private async createGeneratedExperiment(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ExperimentManifest,
    generateName: string,
  ): Promise<DocumentOutcome> {
    for (let attempt = 1; attempt <= GENERATED_NAME_ATTEMPTS; attempt += 1) {
      const key = {
        clusterId: target.placement.clusterId,
        namespace: target.placement.namespace,
        name: generatedName(generateName, randomNameSuffix()),
      };
      if (await this.experiments.find(target.scope, transaction, key)) continue;
      const created = await this.experiments.create(target.scope, transaction, { ...key, spec: document.spec });
      const named = { ...document, metadata: { ...document.metadata, name: key.name } };
      return {
        ...this.outcome(target, documentIndex, named, ApplyAction.Created, created.generation, created.id, undefined, document.spec),
        experimentChanged: created,
      };
    }
    throw new FlotillaError(ErrorCode.Conflict, `no free name was found for generateName "${generateName}"; apply it again`, [
      { documentIndex, path: 'metadata.generateName', message: `${GENERATED_NAME_ATTEMPTS} generated names were all taken` },
    ]);
  }

  private async storeAnalysisTemplate(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ArgoManifest & { kind: 'AnalysisTemplate' },
  ): Promise<DocumentOutcome> {
    const applied = await this.templates.applyNamespaced(target.scope, transaction, target.placement, templateManifest(document));
    return this.templateOutcome(target, documentIndex, document, applied);
  }

  private async storeClusterAnalysisTemplate(
    transaction: Transaction,
    target: PlacedTarget,
    documentIndex: number,
    document: ArgoManifest & { kind: 'ClusterAnalysisTemplate' },
  ): Promise<DocumentOutcome> {
    const applied = await this.templates.applyClusterWide(target.scope, transaction, templateManifest(document));
    return this.templateOutcome(target, documentIndex, document, applied);
  }

  /** Stores a document of an organization-scoped kind through its store; the outcome is reported as for every kind. */
  private async storeOrganizationDocument(
    transaction: Transaction,
    target: ApplyTarget,
    documentIndex: number,
    document: FleetRolloutManifest | FreezeWindowManifest,
  ): Promise<DocumentOutcome> {
    const manifest = {
      name: document.metadata.name,
      labels: document.metadata.labels ?? {},
      annotations: document.metadata.annotations ?? {},
      appliedBy: actorOf(target.principal),
    };
    const applied =
      document.kind === 'FleetRollout'
        ? await this.fleetRollouts.apply(target.scope, transaction, { ...manifest, spec: document.spec })
        : await this.freezeWindows.apply(target.scope, transaction, { ...manifest, spec: document.spec });
    const { record } = applied;
    const before = applied.action === 'Updated' ? applied.previousSpec : undefined;
    return this.outcome(target, documentIndex, document, APPLY_ACTION[applied.action], record.generation, record.id, before, document.spec);
  }

  /**
   * Stores Argo's notification ConfigMap or Secret for the organization or the namespace. The audit of a Secret names
   * the keys added, changed and removed, never a value.
   */
  private async storeNotificationDocument(
    transaction: Transaction,
    target: ApplyTarget,
    documentIndex: number,
    document: NotificationManifest,
  ): Promise<DocumentOutcome> {
    const placement = target.placement && { clusterId: target.placement.clusterId, namespace: target.placement.namespace };
    const appliedBy = actorOf(target.principal);
    if (document.kind === 'ConfigMap') {
      const data = document.data ?? {};
      const applied = await this.notificationConfigs.applyConfigMap(target.scope, transaction, placement, data, appliedBy);
      const { record } = applied;
      return this.outcome(target, documentIndex, document, APPLY_ACTION[applied.action], record.version, record.id, undefined, { data });
    }
    const applied = await this.notificationConfigs.applySecret(
      target.scope,
      transaction,
      placement,
      { ...secretValuesOf(document) },
      appliedBy,
    );
    const { record, keys } = applied;
    return this.outcome(target, documentIndex, document, APPLY_ACTION[applied.action], record.version, record.id, undefined, {
      keys: record.secretKeys,
      ...keys,
    });
  }

  private templateOutcome(
    target: ApplyTarget,
    documentIndex: number,
    document: NamedManifest & { spec: unknown },
    applied: TemplateApplied,
  ): DocumentOutcome {
    const before = applied.action === 'Updated' ? applied.previousSpec : undefined;
    return this.outcome(target, documentIndex, document, APPLY_ACTION[applied.action], applied.version, applied.id, before, document.spec);
  }

  private outcome(
    target: ApplyTarget,
    documentIndex: number,
    document: NamedManifest,
    action: ApplyAction,
    generation: number,
    id: string,
    before?: unknown,
    after?: unknown,
    changedRollout?: RolloutRecord,
  ): DocumentOutcome {
    const { namespace, targetName } = locationOf(target, document);
    const applied: AppliedDocument = {
      documentIndex,
      kind: document.kind,
      name: document.metadata.name,
      namespace,
      action,
      generation,
      warnings: target.warnings[documentIndex] ?? [],
    };
    if (action === ApplyAction.Unchanged) return { applied, audit: undefined, rolloutChanged: undefined };
    return {
      applied,
      rolloutChanged: changedRollout,
      audit: {
        actor: actorOf(target.principal),
        action: `${AUDIT_TARGET[document.kind]}.${action === ApplyAction.Created ? 'created' : 'updated'}`,
        targetType: document.kind,
        targetName,
        targetId: id,
        before: before === undefined ? null : { spec: before },
        after: isNotificationDocument(document) ? { ...(after as object), generation } : { spec: after, generation },
        requestId: target.requestId,
      },
    };
  }
}
