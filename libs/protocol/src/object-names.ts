/**
 * ReplicaSets of a rollout are named as Argo Rollouts names them: `<rollout>-<pod template hash>` (an experiment's
 * ReplicaSet gets its name from the desired state instead).
 * @example replicaSetName('checkout', '6d9f7c5b8') === 'checkout-6d9f7c5b8'
 */
export const replicaSetName = (rolloutName: string, podTemplateHash: string): string => `${rolloutName}-${podTemplateHash}`;
