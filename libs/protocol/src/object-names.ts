/**
 * ReplicaSets of a rollout are named as Argo Rollouts names them: `<rollout>-<pod template hash>` (an experiment's
 * ReplicaSet gets its name from the desired state instead).
 * @example replicaSetName('checkout', '6d9f7c5b8') === 'checkout-6d9f7c5b8'
 */
export const replicaSetName = (rolloutName: string, podTemplateHash: string): string => `${rolloutName}-${podTemplateHash}`;

/**
 * The canary Ingress the NGINX router creates beside a stable one, as Argo Rollouts names it:
 * `<rollout>-<stable ingress>-canary`, cut to Kubernetes' 253 characters.
 * @example canaryIngressName('checkout', 'shop') === 'checkout-shop-canary'
 */
export const canaryIngressName = (rolloutName: string, stableIngress: string): string =>
  `${rolloutName}-${stableIngress}-canary`.slice(0, 253);
