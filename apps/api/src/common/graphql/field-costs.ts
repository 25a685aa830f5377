/** What resolving one field costs, beyond the fields selected under it. */
export interface FieldCost {
  cost: number;
  /** Asked for more than once in one request, it is refused. */
  oncePerRequest?: boolean;
}

/** A field of the schema, `Type.field`, such as `Query.rollouts`. */
export type FieldCoordinate = `${string}.${string}`;

/** Root fields not listed cost this much: each reads or writes the database at least once. */
export const ROOT_FIELD_COST = 10;
/** Other fields not listed are read from what their parent loaded. */
export const NESTED_FIELD_COST = 1;

/**
 * Fields whose price is not the default, by what they do at worst. `verifyAuditChain` reads and hashes the whole
 * audit chain of the organization (or from a checkpoint on); `createAuditCheckpoint` verifies the chain since the last
 * checkpoint before it signs; `applyManifests` validates and stores every document of up to a request's worth of
 * YAML; `Experiment.analysisRuns` is one more query for each experiment of a page; a FleetRollout's `plan` and
 * `currentRelease` read the clusters and releases once per FleetRollout, and `FleetMember.rollout` one rollout per member;
 * `releaseFleet` reads every cluster and member Rollout of the FleetRollout and writes the first batch's templates;
 * `Rollout.freeze` reads the organization's freeze windows, and its cluster and overrides while one is in effect;
 * `Rollout.analysisRuns` and `Rollout.experiments` read the rollout's history, then what it lists, as a list query does.
 */
export const FIELD_COSTS: Readonly<Record<FieldCoordinate, FieldCost>> = {
  'Query.verifyAuditChain': { cost: 1000, oncePerRequest: true },
  'Query.auditEvents': { cost: 20 },
  'Query.auditCheckpoints': { cost: 20 },
  'Mutation.createAuditCheckpoint': { cost: 1000, oncePerRequest: true },
  'Query.rollouts': { cost: 20 },
  'Query.analysisRuns': { cost: 20 },
  'Query.experiments': { cost: 20 },
  'Mutation.applyManifests': { cost: 200 },
  'Mutation.registerCluster': { cost: 50 },
  'Mutation.rotateClusterAgentToken': { cost: 50 },
  'Mutation.createApiToken': { cost: 50 },
  'Mutation.rotateApiToken': { cost: 50 },
  'Experiment.analysisRuns': { cost: ROOT_FIELD_COST },
  'Query.fleetRollouts': { cost: 20 },
  'Query.fleetReleases': { cost: 20 },
  'Mutation.updateClusterLabels': { cost: 50 },
  'FleetRollout.plan': { cost: ROOT_FIELD_COST },
  'FleetRollout.currentRelease': { cost: ROOT_FIELD_COST },
  'FleetMember.rollout': { cost: ROOT_FIELD_COST },
  'Mutation.releaseFleet': { cost: 50 },
  'Query.freezeWindows': { cost: 20 },
  'Query.breakGlassOverrides': { cost: 20 },
  'Rollout.freeze': { cost: ROOT_FIELD_COST },
  'Rollout.analysisRuns': { cost: 20 },
  'Rollout.experiments': { cost: 20 },
};

export function costOfField(coordinate: FieldCoordinate, isRoot: boolean): FieldCost {
  return FIELD_COSTS[coordinate] ?? { cost: isRoot ? ROOT_FIELD_COST : NESTED_FIELD_COST };
}
