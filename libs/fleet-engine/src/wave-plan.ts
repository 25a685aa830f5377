import { selects, type ClusterSelector } from './cluster-selector.js';

/** `maxParallel` of a wave: a number of members, or a share of them (`'25%'`). */
export type MaxParallel = number | `${number}%`;

export interface WaveSpec {
  name: string;
  /** No selector: every selected cluster that no earlier wave took. */
  clusterSelector?: ClusterSelector;
  maxParallel?: MaxParallel;
}

export interface FleetSelection {
  /** No selector: every cluster of the organization. */
  clusterSelector?: ClusterSelector;
  waves: readonly WaveSpec[];
}

export interface FleetCluster {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface WavePlan {
  wave: string;
  /** Cluster names, sorted. */
  clusters: string[];
}

export interface FleetPlan {
  waves: WavePlan[];
  /** Clusters the fleet selects that no wave takes: a release leaves them alone. */
  unassigned: string[];
}

/**
 * Which selected cluster falls in which wave: each in the first wave whose selector matches its labels. The same
 * clusters give the same plan whatever their order.
 *
 * @example planWaves({ waves: [{ name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } }, { name: 'rest' }] },
 *   [{ name: 'eu', labels: { env: 'prod' } }, { name: 'stg', labels: { env: 'staging' } }])
 *   // { waves: [{ wave: 'staging', clusters: ['stg'] }, { wave: 'rest', clusters: ['eu'] }], unassigned: [] }
 */
export function planWaves(selection: FleetSelection, clusters: readonly FleetCluster[]): FleetPlan {
  const selected = clusters
    .filter((cluster) => selects(selection.clusterSelector ?? {}, cluster.labels))
    .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  const waves: WavePlan[] = selection.waves.map((wave) => ({ wave: wave.name, clusters: [] }));
  const unassigned: string[] = [];
  for (const cluster of selected) {
    const index = selection.waves.findIndex((wave) => selects(wave.clusterSelector ?? {}, cluster.labels));
    const plan = waves[index];
    if (plan) plan.clusters.push(cluster.name);
    else unassigned.push(cluster.name);
  }
  return { waves, unassigned };
}

/**
 * How many members of a wave of `members` are released at once: all of them without `maxParallel`, else the number,
 * or the share rounded up; never fewer than one, never more than the wave has.
 *
 * @example membersAtOnce('25%', 10) // 3
 */
export function membersAtOnce(maxParallel: MaxParallel | undefined, members: number): number {
  if (members === 0) return 0;
  if (maxParallel === undefined) return members;
  const wanted = typeof maxParallel === 'number' ? maxParallel : Math.ceil((members * Number(maxParallel.slice(0, -1))) / 100);
  return Math.min(members, Math.max(1, wanted));
}

/** Where a member of the wave under way stands in its release. */
export type MemberProgress = 'pending' | 'changing' | 'settled';

/**
 * The members whose template changes now: pending ones, in name order, as long as no more than `membersAtOnce`
 * are changing at once. A member is changing from its template change until it is Healthy on the new revision.
 *
 * @example membersToChange({ a: 'settled', b: 'changing', c: 'pending', d: 'pending' }, 2) // ['c']
 */
export function membersToChange(members: Readonly<Record<string, MemberProgress>>, atOnce: number): string[] {
  const names = Object.keys(members).sort();
  const changing = names.filter((name) => members[name] === 'changing').length;
  const room = Math.max(0, atOnce - changing);
  return names.filter((name) => members[name] === 'pending').slice(0, room);
}
