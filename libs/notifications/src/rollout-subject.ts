import type { RolloutStatus } from '@flotilla/rollout-engine';
import { toJson } from './json.js';
import type { NotificationSubject } from './plan-types.js';

/** A stored rollout as far as its notifications read it. */
export interface RolloutSubjectInput {
  id: string;
  name: string;
  namespace: string;
  generation: number;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  createdAt: Date;
  /** The manifest's spec, as applied. */
  spec: object;
  status: RolloutStatus | null;
  /** Its analysis runs' names, phases and messages. */
  analysisRuns: readonly { name: string; phase: string; message: string }[];
}

/**
 * The Rollout as Argo's templates and conditions read it (`.rollout.metadata.name`, `.rollout.status.currentStepIndex`,
 * `.analysisRuns`), in the JSON form `JSON.stringify` writes.
 * @example rolloutSubject({ name: 'guestbook', namespace: 'shop', … }).rollout.metadata // { name: 'guestbook', namespace: 'shop', uid: '…', … }
 */
export function rolloutSubject(rollout: RolloutSubjectInput): NotificationSubject & { kind: 'Rollout' } {
  return {
    kind: 'Rollout',
    rollout: toJson({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: rollout.name,
        namespace: rollout.namespace,
        uid: rollout.id,
        generation: rollout.generation,
        labels: rollout.labels,
        annotations: rollout.annotations,
        creationTimestamp: rollout.createdAt.toISOString(),
      },
      spec: rollout.spec,
      status: rollout.status,
    }),
    analysisRuns: rollout.analysisRuns.map((run) =>
      toJson({ metadata: { name: run.name, namespace: rollout.namespace }, status: { phase: run.phase, message: run.message } }),
    ),
  };
}
