import type { Container, PodTemplateSpec, RolloutSpec } from '@flotilla/argo-spec';
import { REVISION_ANNOTATION, type ObservedRolloutState } from '@flotilla/protocol';
import { originalTemplate } from './ephemeral-metadata.js';
import type { OperationRefusalCode, OperationResult, RolloutOperation, RolloutStatus } from './types.js';

function refuse(operation: RolloutOperation, code: OperationRefusalCode, message: string): OperationResult {
  return { ok: false, refusal: { code, message, operation: operation.type } };
}

function isInProgress(spec: RolloutSpec, status: RolloutStatus): boolean {
  return status.stableRS !== status.currentPodHash || spec.paused === true;
}

function promote(
  spec: RolloutSpec,
  status: RolloutStatus | undefined,
  operation: Extract<RolloutOperation, { type: 'promote' }>,
): OperationResult {
  if (status === undefined) return refuse(operation, 'operation/never_reconciled', 'the rollout has not been reconciled yet');
  if (!isInProgress(spec, status))
    return refuse(operation, 'operation/not_in_progress', 'the rollout is fully promoted: nothing to promote');
  if (status.abort) return refuse(operation, 'operation/already_aborted', 'the rollout is aborted: retry it or change its template');
  const unpaused: RolloutSpec = spec.paused === true ? { ...spec, paused: false } : spec;
  if (operation.full) return { ok: true, spec: unpaused, status: { ...status, promoteFull: true, pauseConditions: [] } };
  if (status.pauseConditions.length > 0) return { ok: true, spec: unpaused, status: { ...status, pauseConditions: [] } };
  const stepCount = spec.strategy.canary?.steps?.length ?? 0;
  const index = status.currentStepIndex ?? 0;
  // As upstream's `getPatches`: without a pause condition a canary's current step is skipped, even when
  // `spec.paused` is what holds the rollout.
  if (spec.strategy.canary !== undefined && index < stepCount)
    return { ok: true, spec: unpaused, status: { ...status, currentStepIndex: index + 1, controllerPause: false } };
  if (spec.paused === true) return { ok: true, spec: unpaused, status };
  return refuse(operation, 'operation/not_in_progress', 'the rollout is not paused and has no step left to skip');
}

/**
 * A pod template with `image` set on the container named `container` (`*`: every container), among containers and
 * init containers; undefined when no container has that name. The template given is left as it is.
 * @example templateWithImage({ spec: { containers: [{ name: 'app', image: 'shop/checkout:1' }] } }, 'app', 'shop/checkout:2')
 * // → { spec: { containers: [{ name: 'app', image: 'shop/checkout:2' }] } }
 */
export function templateWithImage(template: PodTemplateSpec, container: string, image: string): PodTemplateSpec | undefined {
  const matches = (candidate: Container): boolean => container === '*' || candidate.name === container;
  const podSpec = template.spec;
  if (!podSpec.containers.some(matches) && !(podSpec.initContainers ?? []).some(matches)) return undefined;
  const withImage = (candidate: Container): Container => (matches(candidate) ? { ...candidate, image } : candidate);
  return {
    ...template,
    spec: {
      ...podSpec,
      containers: podSpec.containers.map(withImage),
      ...(podSpec.initContainers === undefined ? {} : { initContainers: podSpec.initContainers.map(withImage) }),
    },
  };
}

function setImage(spec: RolloutSpec, operation: Extract<RolloutOperation, { type: 'setImage' }>): OperationResult {
  const template = templateWithImage(spec.template, operation.container, operation.image);
  if (template === undefined)
    return refuse(operation, 'operation/unknown_container', `no container named "${operation.container}" in the pod template`);
  return { ok: true, spec: { ...spec, template }, status: undefined };
}

/**
 * The pod template each revision was applied with, by its pod template hash. The cluster keeps ReplicaSets with its
 * defaults filled in (imagePullPolicy, dnsPolicy, ...), which hash differently from what was applied.
 */
export type AppliedTemplates = ReadonlyMap<string, PodTemplateSpec>;

const NO_APPLIED_TEMPLATES: AppliedTemplates = new Map();

function undo(
  spec: RolloutSpec,
  status: RolloutStatus | undefined,
  observed: ObservedRolloutState,
  operation: Extract<RolloutOperation, { type: 'undo' }>,
  appliedTemplates: AppliedTemplates,
): OperationResult {
  const byRevision = observed.replicaSets
    .map((replicaSet) => ({ replicaSet, revision: Number(replicaSet.annotations[REVISION_ANNOTATION]) }))
    .filter((entry) => Number.isInteger(entry.revision))
    .sort((left, right) => right.revision - left.revision);
  const current = byRevision.find((entry) => entry.replicaSet.podTemplateHash === status?.currentPodHash);
  const target =
    operation.toRevision === undefined
      ? byRevision.find(
          (entry) =>
            entry.replicaSet.podTemplateHash !== status?.currentPodHash && (current === undefined || entry.revision < current.revision),
        )
      : byRevision.find((entry) => entry.revision === operation.toRevision);
  if (target === undefined) {
    const wanted = operation.toRevision === undefined ? 'a previous revision' : `revision ${operation.toRevision}`;
    return refuse(operation, 'operation/unknown_revision', `${wanted} is not among the rollout's ReplicaSets`);
  }
  // The template as applied hashes to the ReplicaSet's own hash, so the engine scales that ReplicaSet back up.
  const template = appliedTemplates.get(target.replicaSet.podTemplateHash) ?? originalTemplate(target.replicaSet);
  return { ok: true, spec: { ...spec, template }, status: undefined };
}

/**
 * Applies a user operation the way `kubectl argo rollouts <op>` does. Template and spec operations (`setImage`,
 * `undo`, `pause`, `resume`, `restart`) return a new spec and no status; `promote`, `abort` and `retry` patch the
 * status as upstream does, and the next `reconcile` acts on it. `undo` restores the template a revision was applied
 * with when `appliedTemplates` knows it, else the one its ReplicaSet holds.
 * @example applyOperation(spec, pausedStatus, observed, { type: 'promote', full: false }, now)
 * // → { ok: true, spec, status: { ...pausedStatus, pauseConditions: [] } }
 */
export function applyOperation(
  spec: RolloutSpec,
  status: RolloutStatus | undefined,
  observed: ObservedRolloutState,
  operation: RolloutOperation,
  now: Date,
  appliedTemplates: AppliedTemplates = NO_APPLIED_TEMPLATES,
): OperationResult {
  switch (operation.type) {
    case 'promote':
      return promote(spec, status, operation);
    case 'abort':
      if (status === undefined) return refuse(operation, 'operation/never_reconciled', 'the rollout has not been reconciled yet');
      if (status.abort) return refuse(operation, 'operation/already_aborted', 'the rollout is already aborted');
      if (status.stableRS === status.currentPodHash)
        return refuse(operation, 'operation/not_in_progress', 'the rollout is fully promoted: nothing to abort');
      return { ok: true, spec, status: { ...status, abort: true, abortedAt: undefined } };
    case 'retry':
      if (status === undefined || !status.abort)
        return refuse(operation, 'operation/not_aborted', 'only an aborted rollout can be retried');
      return {
        ok: true,
        spec,
        status: {
          ...status,
          abort: false,
          abortedAt: undefined,
          currentStepIndex: spec.strategy.canary === undefined ? undefined : 0,
          pauseConditions: [],
          controllerPause: false,
          retryAttempt: status.retryAttempt + 1,
        },
      };
    case 'pause':
      return { ok: true, spec: { ...spec, paused: true }, status: undefined };
    case 'resume':
      return { ok: true, spec: { ...spec, paused: false }, status: undefined };
    case 'restart':
      return { ok: true, spec: { ...spec, restartAt: operation.at ?? now.toISOString() }, status: undefined };
    case 'setImage':
      return setImage(spec, operation);
    case 'undo':
      return undo(spec, status, observed, operation, appliedTemplates);
  }
}
