/**
 * Labels and annotations on the objects the agent writes to a cluster. The control plane puts them in desired
 * states and reads them back from observations; the agent recognises its objects and their roles by them.
 */

/** Labels the agent puts on every object it creates; it never changes an object without them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'flotilla';
export const ROLLOUT_LABEL = 'flotilla.io/rollout';
/** Marks a ReplicaSet or Service as belonging to an experiment (its name), not to the rollout's revisions. */
export const EXPERIMENT_LABEL = 'flotilla.io/experiment';
/** The experiment template a ReplicaSet or Service runs. */
export const EXPERIMENT_TEMPLATE_LABEL = 'flotilla.io/experiment-template';

/** Label that ties a ReplicaSet, its pods and the Services selecting them to one pod template. */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'rollout.argoproj.io/desired-replicas';
export const SCALE_DOWN_DEADLINE_ANNOTATION = 'scale-down-deadline';
/** The role metadata (canary, stable, active or preview) injected into a ReplicaSet's pods, as JSON. */
export const EPHEMERAL_METADATA_ANNOTATION = 'rollout.argoproj.io/ephemeral-metadata';
