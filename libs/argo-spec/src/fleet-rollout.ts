/**
 * Flotilla's own kind: a `FleetRollout` releases a Rollout present in many clusters, wave by wave. It belongs to
 * the organization, not to a cluster namespace. The fleet engine re-exports these types under the same names.
 */
import type { LabelSelector, RolloutAnalysis } from './types.js';

export const FLEET_API_VERSION = 'flotilla.io/v1alpha1';
export const FLEET_ROLLOUT_KIND = 'FleetRollout';

export const FAILURE_POLICIES = ['halt', 'rollbackWave', 'rollbackAll'] as const;

/** What a release does when a wave fails its gates. */
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export const WAVE_APPROVALS = ['automatic', 'manual'] as const;

export const DEFAULT_DISCONNECTED_TIMEOUT_SECONDS = 600;

/**
 * Analysis a wave runs once its members are released, before its soak. `pooled`: one run across all the wave's
 * clusters, each metric measured in every cluster at the same moments and judged over the list of their values
 * (`[{ cluster, value }]`); its templates must be ClusterAnalysisTemplates. Otherwise each cluster runs its own.
 */
export interface FleetWaveAnalysis extends Omit<RolloutAnalysis, 'analysisRunMetadata'> {
  /** Default false. */
  pooled?: boolean;
}

export interface FleetWaveSpec {
  name: string;
  /** No selector: every selected cluster that no earlier wave took. */
  clusterSelector?: LabelSelector;
  /** Members released at once: a number, or a share rounded up (at least one). All of them when absent. */
  maxParallel?: number | `${number}%`;
  /** Time every member must stay Healthy, after the last one became so, before the wave passes. Default 0. */
  soakSeconds?: number;
  /** `manual`: the next wave waits for `approveWave`. Default `automatic`. */
  approval?: (typeof WAVE_APPROVALS)[number];
  /** A selected cluster without the Rollout is passed over instead of failing the wave. Default false. */
  allowMissing?: boolean;
  /** Overrides the FleetRollout's `disconnectedTimeoutSeconds` for this wave. */
  disconnectedTimeoutSeconds?: number;
  /** Analysis gating the wave once its members are released. */
  analysis?: FleetWaveAnalysis;
}

/** The policy of how a Rollout present in many clusters is released: `spec` of a `FleetRollout`. */
export interface FleetRolloutSpec {
  /** The Rollout of this namespace and name in every selected cluster. */
  rollout: { namespace: string; name: string };
  /** No selector: every cluster of the organization. */
  clusterSelector?: LabelSelector;
  /** Default 600. */
  disconnectedTimeoutSeconds?: number;
  waves: FleetWaveSpec[];
  /** Default `halt`. */
  failurePolicy?: FailurePolicy;
}

export interface FleetRolloutManifest {
  apiVersion: typeof FLEET_API_VERSION;
  kind: typeof FLEET_ROLLOUT_KIND;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: FleetRolloutSpec;
}
