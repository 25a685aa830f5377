import { Inject, Injectable } from '@nestjs/common';
import { imageReferenceProblem } from '@flotilla/argo-spec';
import type { RolloutOperation as EngineOperation } from '@flotilla/rollout-engine';
import {
  inTransaction,
  type AfterCommit,
  type DatabaseClient,
  prismaSession,
  AuditStore,
  organizationScope,
  rolloutTargetName,
  FleetReleaseStore,
  RolloutStore,
  type SqlPool,
  type RolloutOperationRecord,
  type RolloutWithCluster,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { assertReason } from '../../common/reason.js';
import { ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import { isIdCursor, pageRequest, toPage, type PageInput } from '../../common/graphql/pagination.js';
import type { EventBus, DesiredStateChanged } from '@flotilla/events';
import { DATABASE, EVENT_BUS, RECONCILE_QUEUE, SQL } from '../../infrastructure/tokens.js';
import type { ReconcileQueue } from '@flotilla/queues';
import { toRolloutModel } from './rollout.mapper.js';
import { assertNotFleetOwned } from './fleet-ownership.js';
import { FreezeGate } from '../freezes/freeze-gate.js';
import { replicaSetRoles } from './replica-set-view.js';
import type { RolloutFilter, RolloutModel, RolloutPage, RolloutRef, RolloutRevisionModel } from './rollout.model.js';

/** An operation as the rollout engine carries it out. */
export type OperationRequest = EngineOperation;

const LABEL_EQUALITY = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/;

/**
 * Operations that start or move a release on, refused while a freeze covers the rollout (unless a break-glass
 * override lifts it). Those that reduce risk (abort, undo, pause) or keep the revision (restart) never are.
 */
const FROZEN_OPERATIONS: ReadonlySet<OperationRequest['type']> = new Set(['setImage', 'promote', 'retry', 'resume']);

@Injectable()
export class RolloutsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(SQL) private readonly sql: SqlPool,
    private readonly rollouts: RolloutStore,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
    private readonly audit: AuditStore,
    private readonly fleetReleases: FleetReleaseStore,
    private readonly freezes: FreezeGate,
  ) {}

  async list(principal: Principal, filter: RolloutFilter | undefined, page: PageInput | undefined): Promise<RolloutPage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const labels = (filter?.labels ?? []).map((equality, index) => {
      const match = LABEL_EQUALITY.exec(equality);
      if (!match) {
        throw new FlotillaError(ErrorCode.InputInvalid, `filter.labels[${index}] must look like key=value`, [
          { path: `filter.labels[${index}]`, message: 'must look like key=value' },
        ]);
      }
      return { key: match[1] as string, value: match[2] as string };
    });
    const rows = await this.rollouts.list(
      organizationScope(principal.organizationId),
      { cluster: filter?.cluster, namespace: filter?.namespace, phase: filter?.phase, labels },
      { take, afterId: after?.id },
    );
    const result = toPage(rows, take, (row) => ({ id: row.id }));
    return { nodes: result.nodes.map(toRolloutModel), pageInfo: result.pageInfo };
  }

  async get(principal: Principal, ref: RolloutRef): Promise<RolloutModel> {
    return toRolloutModel(await this.find(principal, ref));
  }

  async revisions(principal: Principal, ref: RolloutRef, only?: readonly number[]): Promise<RolloutRevisionModel[]> {
    const rollout = await this.find(principal, ref);
    const revisions = await this.rollouts.revisions(organizationScope(principal.organizationId), rollout.id, only);
    const isBlueGreen = rollout.spec.strategy.blueGreen !== undefined;
    return revisions.map((revision) => ({ ...revision, roles: replicaSetRoles(revision.podTemplateHash, rollout.status, isBlueGreen) }));
  }

  async operations(principal: Principal, ref: RolloutRef): Promise<RolloutOperationRecord[]> {
    const rollout = await this.find(principal, ref);
    return this.rollouts.operations(organizationScope(principal.organizationId), rollout.id, 100);
  }

  /** Records the operation and its audit event; the rollout engine carries it out. */
  async requestOperation(
    principal: Principal,
    ref: RolloutRef,
    operation: OperationRequest,
    reason: string | null,
    requestId: string,
  ): Promise<RolloutOperationRecord> {
    assertReason(reason);
    const scope = organizationScope(principal.organizationId);
    const rollout = await this.find(principal, ref);
    await this.assertApplicable(principal, rollout, operation);
    const breakGlassOverride = FROZEN_OPERATIONS.has(operation.type)
      ? await this.freezes.assertRolloutOpen(scope, rollout, new Date())
      : null;
    const { type, ...parameters } = operation;
    return this.sql.transaction(async (session, afterCommit) => {
      const recorded = await this.rollouts.requestOperation(scope, session, rollout.id, operation, actorOf(principal));
      this.requestReconcile(afterCommit, rollout.id, recorded.version);
      await this.audit.append(scope, session, afterCommit, [
        {
          actor: actorOf(principal),
          action: `rollout.${type}`,
          targetType: 'Rollout',
          targetName: rolloutTargetName(ref.cluster, ref.namespace, ref.name),
          targetId: rollout.id,
          after: { operation: type, ...parameters, ...(breakGlassOverride === null ? {} : { breakGlassOverride }) },
          reason,
          requestId,
        },
      ]);
      this.announce(afterCommit, rollout);
      return recorded.operation;
    });
  }

  async delete(principal: Principal, ref: RolloutRef, reason: string | null, requestId: string): Promise<RolloutModel> {
    assertReason(reason);
    const rollout = await this.find(principal, ref);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      await this.rollouts.delete(organizationScope(principal.organizationId), transaction, rollout.id);
      const deleted: DesiredStateChanged = {
        clusterId: rollout.clusterId,
        id: rollout.id,
        key: { namespace: rollout.namespace, name: rollout.name },
      };
      afterCommit.add(() => this.eventBus.publish('desiredStateChanged', { organizationId: rollout.organizationId, payload: deleted }));
      await this.audit.append(organizationScope(principal.organizationId), prismaSession(transaction), afterCommit, [
        {
          actor: actorOf(principal),
          action: 'rollout.deleted',
          targetType: 'Rollout',
          targetName: rolloutTargetName(ref.cluster, ref.namespace, ref.name),
          targetId: rollout.id,
          before: { spec: rollout.spec, generation: rollout.generation, phase: rollout.phase },
          reason,
          requestId,
        },
      ]);
      return toRolloutModel(rollout);
    });
  }

  /** Asks the worker to reconcile the rollout at this version once the transaction has committed. */
  requestReconcile(afterCommit: AfterCommit, rolloutId: string, version: number): void {
    afterCommit.add(() => this.reconcileQueue.request(rolloutId, version));
  }

  /** Tells subscribers that the rollout changed, once the transaction has committed. */
  announce(afterCommit: AfterCommit, rollout: RolloutWithCluster): void {
    const { id, version, namespace, name } = rollout;
    afterCommit.add(() =>
      this.eventBus.publish('rolloutChanged', {
        organizationId: rollout.organizationId,
        payload: { id, version, cluster: rollout.cluster.name, namespace, name },
      }),
    );
  }

  /** The rollout as it is now, for a subscriber told it changed; null once it is gone. */
  async current(principal: Principal, id: string): Promise<RolloutModel | null> {
    const rollout = await this.rollouts.findWithCluster(organizationScope(principal.organizationId), id);
    return rollout && toRolloutModel(rollout);
  }

  private async find(principal: Principal, ref: RolloutRef): Promise<RolloutWithCluster> {
    const rollout = await this.rollouts.find(organizationScope(principal.organizationId), ref);
    if (!rollout) throw notFound(ErrorCode.RolloutNotFound, `rollout ${rolloutTargetName(ref.cluster, ref.namespace, ref.name)}`);
    return rollout;
  }

  private async assertApplicable(principal: Principal, rollout: RolloutWithCluster, operation: OperationRequest): Promise<void> {
    const { spec } = rollout;
    if (operation.type === 'setImage') {
      await assertNotFleetOwned(this.fleetReleases, {
        organizationId: rollout.organizationId,
        targetName: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name),
        fleetReleaseId: rollout.fleetReleaseId,
      });
      const containers = [...spec.template.spec.containers, ...(spec.template.spec.initContainers ?? [])];
      // `*` sets every container's image, as Argo's `set image ROLLOUT '*=IMAGE'` does.
      if (operation.container !== '*' && !containers.some((container) => container.name === operation.container)) {
        throw new FlotillaError(ErrorCode.OperationRefused, `the pod template has no container named ${operation.container}`, [
          { path: 'container', message: `no such container; the template has ${containers.map((container) => container.name).join(', ')}` },
        ]);
      }
      const imageProblem = imageReferenceProblem(operation.image);
      if (imageProblem !== undefined) {
        throw new FlotillaError(ErrorCode.InputInvalid, `image ${imageProblem}`, [{ path: 'image', message: imageProblem }]);
      }
    }
    if (operation.type === 'undo' && operation.toRevision !== undefined) {
      if (!(await this.rollouts.hasRevision(organizationScope(principal.organizationId), rollout.id, operation.toRevision))) {
        throw new FlotillaError(ErrorCode.RevisionNotFound, `rollout has no revision ${operation.toRevision}`, [
          { path: 'toRevision', message: 'no such revision in the release history' },
        ]);
      }
    }
  }
}
