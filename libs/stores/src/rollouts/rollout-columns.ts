import { z } from 'zod';
import type { RolloutSpec } from '@flotilla/argo-spec';
import type { RolloutOperation, RolloutStatus } from '@flotilla/rollout-engine';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/protocol';
import { objectColumn, type JsonColumn } from '../scope/json-column.js';
import type { Rollout, RolloutOperation as RolloutOperationRow, RolloutRevision } from '../generated/prisma/client.js';
import { anyObject, shapedAs, stringMapColumn } from './json-shapes.js';
import type { OperationParameters, RolloutOperationRecord, RolloutRecord, RolloutRevisionRecord } from './rollout-record.js';

// The JSON columns of rollouts, their revisions and operations, and what experiments share with them. Specs,
// statuses and states are big types: their full checks cover the top level and leave deep parts to `anyObject`.

const rolloutSpecShape = shapedAs<RolloutSpec>(
  z.looseObject({
    selector: anyObject,
    template: z.looseObject({ spec: z.looseObject({ containers: z.array(anyObject) }) }),
    strategy: anyObject,
  }),
);

export const rolloutSpecColumn = (column: string): JsonColumn<RolloutSpec> =>
  objectColumn(column, ['selector', 'template', 'strategy'], rolloutSpecShape);

export const rolloutStatusColumn: JsonColumn<RolloutStatus> = objectColumn(
  'Rollout.status',
  ['phase', 'message', 'observedGeneration'],
  shapedAs<RolloutStatus>(
    z.looseObject({
      phase: z.string(),
      message: z.string(),
      observedGeneration: z.number(),
      pauseConditions: z.array(anyObject),
      conditions: z.array(anyObject),
    }),
  ),
);

export const desiredStateColumn = (column: string): JsonColumn<DesiredRolloutState> =>
  objectColumn(
    column,
    ['replicaSets', 'services'],
    shapedAs<DesiredRolloutState>(z.looseObject({ replicaSets: z.array(anyObject), services: anyObject })),
  );

export const observedStateColumn = (column: string): JsonColumn<ObservedRolloutState> =>
  objectColumn(
    column,
    ['replicaSets', 'serviceSelectors', 'trafficWeights', 'observedAt'],
    shapedAs<ObservedRolloutState>(
      z.looseObject({ replicaSets: z.array(anyObject), serviceSelectors: anyObject, trafficWeights: anyObject, observedAt: z.string() }),
    ),
  );

export const operationParametersColumn: JsonColumn<OperationParameters> = objectColumn(
  'RolloutOperation.parameters',
  [],
  z.record(z.string(), z.unknown()),
);

/** An operation whole: its `type` column with its parameters spread into it, as the engine carries it out. */
export const operationColumn: JsonColumn<RolloutOperation> = objectColumn(
  'RolloutOperation',
  ['type'],
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('promote'), full: z.boolean() }),
    z.object({ type: z.literal('abort') }),
    z.object({ type: z.literal('retry') }),
    z.object({ type: z.literal('pause') }),
    z.object({ type: z.literal('resume') }),
    z.object({ type: z.literal('restart'), at: z.iso.datetime().optional() }),
    z.object({ type: z.literal('setImage'), container: z.string(), image: z.string() }),
    z.object({ type: z.literal('undo'), toRevision: z.number().int().optional() }),
  ]),
);

/** The columns of the Rollout table, and of its revisions, read and written through these only. */
export const rolloutColumns = {
  spec: rolloutSpecColumn('Rollout.spec'),
  status: rolloutStatusColumn,
  desiredState: desiredStateColumn('Rollout.desiredState'),
  observed: observedStateColumn('Rollout.observed'),
  labels: stringMapColumn('Rollout.labels'),
  annotations: stringMapColumn('Rollout.annotations'),
  specSnapshot: rolloutSpecColumn('RolloutRevision.specSnapshot'),
};

/** A rollout row the stores wrote, its JSON decoded. */
export function rolloutRecordOf(row: Rollout): RolloutRecord {
  return {
    id: row.id,
    organizationId: row.organizationId,
    clusterId: row.clusterId,
    namespace: row.namespace,
    name: row.name,
    labels: rolloutColumns.labels.decode(row.labels),
    annotations: rolloutColumns.annotations.decode(row.annotations),
    spec: rolloutColumns.spec.decode(row.spec),
    generation: row.generation,
    observedGeneration: row.observedGeneration,
    phase: row.phase,
    message: row.message,
    status: row.status === null ? null : rolloutColumns.status.decode(row.status),
    specChangedBy: row.specChangedBy,
    desiredState: row.desiredState === null ? null : rolloutColumns.desiredState.decode(row.desiredState),
    desiredVersion: row.desiredVersion,
    appliedDesiredVersion: row.appliedDesiredVersion,
    observed: row.observed === null ? null : rolloutColumns.observed.decode(row.observed),
    observedAt: row.observedAt,
    nextReconcileAt: row.nextReconcileAt,
    version: row.version,
    fleetReleaseId: row.fleetReleaseId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function revisionRecordOf(row: RolloutRevision): RolloutRevisionRecord {
  return {
    id: row.id,
    rolloutId: row.rolloutId,
    revision: row.revision,
    podTemplateHash: row.podTemplateHash,
    images: row.images,
    specSnapshot: rolloutColumns.specSnapshot.decode(row.specSnapshot),
    startedBy: row.startedBy,
    outcome: row.outcome,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

export function operationRecordOf(row: RolloutOperationRow): RolloutOperationRecord {
  return {
    id: row.id,
    rolloutId: row.rolloutId,
    type: row.type,
    parameters: operationParametersColumn.decode(row.parameters),
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    state: row.state,
    message: row.message,
    completedAt: row.completedAt,
  };
}
