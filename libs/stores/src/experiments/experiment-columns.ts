import { z } from 'zod';
import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentStatus } from '@flotilla/rollout-engine';
import type { Experiment } from '../generated/prisma/client.js';
import { objectColumn } from '../scope/json-column.js';
import { anyObject, shapedAs } from '../rollouts/json-shapes.js';
import { desiredStateColumn, observedStateColumn } from '../rollouts/rollout-columns.js';
import type { ExperimentRecord } from './experiment-record.js';

/**
 * The JSON columns of the Experiment table, read and written through these only. Their full checks cover the top
 * level and leave deep parts to `anyObject`.
 */
export const experimentColumns = {
  spec: objectColumn<ExperimentSpec>('Experiment.spec', ['templates'], shapedAs(z.looseObject({ templates: z.array(anyObject) }))),
  status: objectColumn<ExperimentStatus>(
    'Experiment.status',
    ['phase', 'message'],
    shapedAs(
      z.looseObject({ phase: z.string(), message: z.string(), templateStatuses: z.array(anyObject), analysisRuns: z.array(anyObject) }),
    ),
  ),
  desiredState: desiredStateColumn('Experiment.desiredState'),
  observed: observedStateColumn('Experiment.observed'),
};

/** An experiment row the stores wrote, its JSON decoded. */
export function experimentRecordOf(row: Experiment): ExperimentRecord {
  return {
    id: row.id,
    organizationId: row.organizationId,
    clusterId: row.clusterId,
    rolloutId: row.rolloutId,
    namespace: row.namespace,
    name: row.name,
    spec: experimentColumns.spec.decode(row.spec),
    podTemplateHash: row.podTemplateHash,
    stepIndex: row.stepIndex,
    generation: row.generation,
    phase: row.phase,
    message: row.message,
    status: row.status === null ? null : experimentColumns.status.decode(row.status),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    releasedAt: row.releasedAt,
    desiredState: row.desiredState === null ? null : experimentColumns.desiredState.decode(row.desiredState),
    desiredVersion: row.desiredVersion,
    observed: row.observed === null ? null : experimentColumns.observed.decode(row.observed),
    nextReconcileAt: row.nextReconcileAt,
  };
}
