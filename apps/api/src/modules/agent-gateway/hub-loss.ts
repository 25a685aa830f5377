import type { DesiredRolloutState, HubLossInstruction } from '@flotilla/protocol';

export const HUB_LOSS_POLICY_ANNOTATION = 'flotilla.io/hub-loss-policy';
export const HUB_LOSS_AFTER_ANNOTATION = 'flotilla.io/hub-loss-after-seconds';
const DEFAULT_AFTER_SECONDS = 300;
const ROLLBACK_TO_STABLE = 'rollback-to-stable';
/** The longest delay an agent's timer can wait (2³¹−1 ms, about 24.8 days). */
const MAX_AFTER_SECONDS = 2_147_483;

/** What is wrong with a rollout's hub-loss annotations, by field path; they are refused at apply. */
export function hubLossAnnotationProblems(annotations: Record<string, string> | undefined): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const policy = annotations?.[HUB_LOSS_POLICY_ANNOTATION];
  const after = annotations?.[HUB_LOSS_AFTER_ANNOTATION];
  if (policy !== undefined && policy !== ROLLBACK_TO_STABLE) {
    problems.push({
      path: `metadata.annotations['${HUB_LOSS_POLICY_ANNOTATION}']`,
      message: `the only hub-loss policy is "${ROLLBACK_TO_STABLE}", got "${policy}"`,
    });
  }
  if (after !== undefined && (!/^[1-9][0-9]*$/.test(after) || Number(after) > MAX_AFTER_SECONDS)) {
    problems.push({
      path: `metadata.annotations['${HUB_LOSS_AFTER_ANNOTATION}']`,
      message: `must be a whole number of seconds from 1 to ${MAX_AFTER_SECONDS}, got "${after}"`,
    });
  }
  return problems;
}

function totalWeight(routing: NonNullable<DesiredRolloutState['trafficRouting']>): number {
  return (
    routing.canaryWeight + routing.stableWeight + routing.additionalDestinations.reduce((sum, destination) => sum + destination.weight, 0)
  );
}

/**
 * The state an agent falls back to when it has lost the control plane and the rollout asks for
 * `flotilla.io/hub-loss-policy: rollback-to-stable`: the stable ReplicaSet at full size serving all traffic,
 * every other ReplicaSet scaled to zero. Undefined when the rollout has no such policy or no stable revision yet.
 * @example a canary at 40% with stable `abc` at 3 and canary `def` at 2 falls back to abc: 5, def: 0, weight 0.
 */
export function hubLossInstruction(
  annotations: Record<string, string>,
  desired: DesiredRolloutState,
  stablePodTemplateHash: string | undefined,
  replicas: number,
): HubLossInstruction | undefined {
  if (annotations[HUB_LOSS_POLICY_ANNOTATION] !== ROLLBACK_TO_STABLE || !stablePodTemplateHash) return undefined;
  if (!desired.replicaSets.some((replicaSet) => replicaSet.podTemplateHash === stablePodTemplateHash)) return undefined;
  const afterSeconds = Number(annotations[HUB_LOSS_AFTER_ANNOTATION] ?? DEFAULT_AFTER_SECONDS);
  const toStable = (selector: { service: string; podTemplateHash: string } | undefined) =>
    selector ? { service: selector.service, podTemplateHash: stablePodTemplateHash } : undefined;
  const fallback: DesiredRolloutState = {
    replicaSets: desired.replicaSets.map((replicaSet) => ({
      ...replicaSet,
      replicas: replicaSet.podTemplateHash === stablePodTemplateHash ? replicas : 0,
      restart: undefined,
    })),
    services: Object.fromEntries(Object.entries(desired.services).map(([role, selector]) => [role, toStable(selector)])),
    trafficRouting: desired.trafficRouting && {
      ...desired.trafficRouting,
      canaryWeight: 0,
      stableWeight: totalWeight(desired.trafficRouting),
      additionalDestinations: [],
      headerRoutes: [],
      mirrorRoutes: [],
    },
  };
  return {
    afterSeconds: Number.isFinite(afterSeconds) && afterSeconds > 0 ? Math.min(afterSeconds, MAX_AFTER_SECONDS) : DEFAULT_AFTER_SECONDS,
    fallback,
  };
}
