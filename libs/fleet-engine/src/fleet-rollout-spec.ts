// The FleetRollout kind is validated by @flotilla/argo-spec, the lower library, which therefore owns its types.
export {
  DEFAULT_DISCONNECTED_TIMEOUT_SECONDS,
  FLEET_API_VERSION,
  FLEET_ROLLOUT_KIND,
  type FailurePolicy,
  type FleetRolloutManifest,
  type FleetRolloutSpec,
  type FleetWaveSpec,
} from '@flotilla/argo-spec';
