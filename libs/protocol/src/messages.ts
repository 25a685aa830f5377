import type { Metric } from '@flotilla/argo-spec';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/rollout-engine';

/**
 * Version 1 of the protocol between the control plane and the agent of a cluster. The agent connects out over
 * WebSocket to `AGENT_PATH` with `Authorization: Bearer <cluster agent token>` (an unknown token is answered with
 * HTTP 401 and never upgraded); every frame is one JSON message.
 * Level-triggered: the control plane always sends whole desired states with a version that only grows, and on
 * every (re)connection a snapshot of all of them, so no message ever needs to arrive exactly once.
 */
export const PROTOCOL_VERSION = 1;
export const AGENT_PATH = '/agent/v1';

/** Labels the agent puts on every object it creates; it never changes an object without them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'flotilla';
export const ROLLOUT_LABEL = 'flotilla.io/rollout';

/** What a desired state is for: a rollout, or (`kind: 'Experiment'`) a standalone experiment. */
export interface RolloutKey {
  namespace: string;
  name: string;
  kind?: 'Experiment';
}

/** What the agent does on its own while the control plane is unreachable. */
export interface HubLossInstruction {
  /** Seconds without the control plane after which the agent switches to `fallback`. */
  afterSeconds: number;
  /** The desired state to converge to then: the stable revision at full size and all traffic. */
  fallback: DesiredRolloutState;
}

export interface DesiredRollout {
  rollout: RolloutKey;
  /** Grows with every change of `state`; the agent ignores a version lower than one it has. */
  desiredVersion: number;
  /** Services the rollout names, whose selectors the agent reports even before it changes them. */
  serviceNames: string[];
  state: DesiredRolloutState;
  hubLoss: HubLossInstruction | undefined;
}

/**
 * One measurement of one metric, to be taken inside the cluster: metric data sources usually live there, and
 * `secretKeyRef` arguments are resolved only there. The metric's arguments are already substituted, except
 * secret values, which appear as `$(flotilla-secret:<secret>/<key>)` markers for the agent to replace from the
 * Secret in `run.namespace`.
 */
export interface MeasurementRequest {
  /** Unique per attempt; the answer carries it back. */
  requestId: string;
  run: { name: string; namespace: string; uid: string };
  metric: Metric;
  /** Argo's numbering of measurements of this metric (used in Job names). */
  measurementIndex: number;
  /** The control plane records an Error measurement when no answer arrives in time. */
  timeoutSeconds: number;
}

/** What a provider returned, exactly as `@flotilla/metric-providers` shapes it. */
export type MeasurementOutcome =
  | {
      ok: true;
      value: unknown;
      rawValue: string;
      phase?: 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
      metadata?: Record<string, string>;
    }
  | { ok: false; error: string; metadata?: Record<string, string> };

// ---------------------------------------------------------------- control plane → agent

export type ControlPlaneMessage =
  | { type: 'welcome'; protocolVersion: number; cluster: string; heartbeatIntervalSeconds: number }
  /** Every rollout and standalone experiment of the cluster; owned objects of keys not listed are to be removed. */
  | { type: 'snapshot'; rollouts: DesiredRollout[] }
  | { type: 'desired'; desired: DesiredRollout }
  /** The rollout (or standalone experiment) was deleted: remove what the agent created for it. */
  | { type: 'deleted'; rollout: RolloutKey; desiredVersion: number }
  /** Take one measurement and answer with `measurement`; repeated requestIds may be answered again. */
  | { type: 'measure'; request: MeasurementRequest }
  /** `retryAfterSeconds` comes with `rate_limited`: when the agent's messages are taken again. */
  | { type: 'error'; code: ProtocolErrorCode; message: string; retryAfterSeconds?: number };

// ---------------------------------------------------------------- agent → control plane

export type AgentMessage =
  | { type: 'hello'; protocolVersion: number; agentVersion: string; kubernetesVersion: string | undefined }
  | { type: 'heartbeat'; sentAt: string }
  /** The agent has applied this desired version to the cluster (it may still be converging). */
  | { type: 'applied'; rollout: RolloutKey; desiredVersion: number }
  /** What the cluster holds for one rollout; sent on change and periodically. */
  | { type: 'observed'; rollout: RolloutKey; desiredVersion: number; state: ObservedRolloutState }
  /** The answer to a `measure` request. */
  | { type: 'measurement'; requestId: string; outcome: MeasurementOutcome };

export type ProtocolErrorCode = 'protocol/unsupported_version' | 'protocol/invalid_message' | 'auth/unauthenticated' | 'rate_limited';

/** WebSocket close codes the control plane uses, so that the agent can tell retryable closes from final ones. */
export const CLOSE_CODES = {
  unauthenticated: 4401,
  unsupportedVersion: 4426,
  replacedByNewerConnection: 4409,
  invalidMessage: 4400,
  /** The agent kept sending over its message rate after being told `rate_limited`. */
  rateLimited: 4429,
} as const;
