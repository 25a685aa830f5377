import {
  DESIRED_REPLICAS_ANNOTATION,
  EPHEMERAL_METADATA_ANNOTATION,
  injectedEphemeralMetadata,
  REVISION_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  type DesiredReplicaSet,
} from '@flotilla/protocol';
import { withStableAntiAffinity } from './anti-affinity.js';
import { revisionOf, type ReplicaSetPlan, type RolloutContext } from './context.js';
import { DEFAULT_REVISION_HISTORY_LIMIT } from './defaults.js';
import { templateForRole } from './ephemeral-metadata.js';

const NONE_PRUNED: ReadonlySet<string> = new Set();

/** ReplicaSets kept in history: scaled to zero, not current or stable, newest first up to `revisionHistoryLimit`. */
function prunedHashes(context: RolloutContext): ReadonlySet<string> {
  const limit = context.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const idle: string[] = [];
  for (const [hash, plan] of context.plan) {
    const observed = context.replicaSets.get(hash);
    if (plan.role === 'old' && plan.replicas === 0 && observed !== undefined && observed.currentReplicas === 0) idle.push(hash);
  }
  if (idle.length <= limit) return NONE_PRUNED;
  idle.sort((left, right) => revisionOf(context, right) - revisionOf(context, left));
  return new Set(idle.slice(limit));
}

function desiredReplicaSet(context: RolloutContext, hash: string, plan: ReplicaSetPlan): DesiredReplicaSet {
  const observed = context.replicaSets.get(hash);
  const base = hash === context.currentHash || observed === undefined ? context.spec.template : observed.template;
  const roleTemplate = templateForRole(base, hash, plan.metadata, injectedEphemeralMetadata(observed?.annotations));
  const template =
    hash === context.currentHash ? withStableAntiAffinity(roleTemplate, context.spec, context.status.stableRS, hash) : roleTemplate;
  const annotations: Record<string, string> = {
    [REVISION_ANNOTATION]: String(revisionOf(context, hash)),
    [DESIRED_REPLICAS_ANNOTATION]: String(context.specReplicas),
  };
  const deadline = context.status.scaleDownDeadlines[hash];
  if (deadline !== undefined && plan.replicas > 0) annotations[SCALE_DOWN_DEADLINE_ANNOTATION] = deadline;
  if (plan.metadata !== undefined) annotations[EPHEMERAL_METADATA_ANNOTATION] = JSON.stringify(plan.metadata);
  return {
    podTemplateHash: hash,
    template,
    replicas: plan.replicas,
    labels: { ...template.metadata?.labels },
    annotations,
    ...(context.spec.minReadySeconds ? { minReadySeconds: context.spec.minReadySeconds } : {}),
    restart: undefined,
  };
}

/** Every ReplicaSet the rollout should have, in plan order, with history beyond the limit left out. */
export function desiredReplicaSets(context: RolloutContext): DesiredReplicaSet[] {
  const pruned = prunedHashes(context);
  const replicaSets: DesiredReplicaSet[] = [];
  for (const [hash, plan] of context.plan) {
    if (!pruned.has(hash)) replicaSets.push(desiredReplicaSet(context, hash, plan));
  }
  return replicaSets;
}
