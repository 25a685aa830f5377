import { z } from 'zod';
import type { FleetChange, FleetRolloutSpec, ReleaseStatus } from '@flotilla/fleet-engine';
import { objectColumn, type JsonColumn } from '../scope/json-column.js';
import { anyObject, shapedAs } from '../rollouts/json-shapes.js';

// The JSON columns of FleetRollouts and their releases. The specs were validated at apply and the statuses are the
// fleet engine's own: their full checks cover what the stores and the engine rely on.

export const fleetRolloutSpecColumn = (column: string): JsonColumn<FleetRolloutSpec> =>
  objectColumn(
    column,
    ['rollout', 'waves'],
    shapedAs<FleetRolloutSpec>(
      z.looseObject({ rollout: z.looseObject({ namespace: z.string(), name: z.string() }), waves: z.array(anyObject).min(1) }),
    ),
  );

export const fleetChangeColumn: JsonColumn<FleetChange> = objectColumn(
  'FleetRelease.change',
  ['type'],
  shapedAs<FleetChange>(
    z.union([
      z.looseObject({ type: z.literal('image'), container: z.string(), image: z.string() }),
      z.looseObject({ type: z.literal('template'), template: anyObject }),
    ]),
  ),
);

export const releaseStatusColumn: JsonColumn<ReleaseStatus> = objectColumn(
  'FleetRelease.status',
  ['phase', 'currentWave', 'waves'],
  shapedAs<ReleaseStatus>(
    z.looseObject({
      phase: z.string(),
      message: z.string(),
      currentWave: z.number(),
      waves: z.array(z.looseObject({ name: z.string(), phase: z.string(), gates: z.array(anyObject), members: z.array(anyObject) })),
    }),
  ),
);
