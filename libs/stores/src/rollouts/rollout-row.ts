import type { Cluster, Rollout } from '../generated/prisma/client.js';

/** A rollout's row with the name of its cluster. */
export type RolloutWithCluster = Rollout & { cluster: Pick<Cluster, 'name'> };

/** How audit events and logs name a rollout across the fleet. */
export const rolloutTargetName = (cluster: string, namespace: string, name: string): string => `${cluster}/${namespace}/${name}`;
