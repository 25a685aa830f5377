import type { ProtocolErrorCode } from './connection.js';
import type { DesiredRolloutState } from './desired-state.js';
import type { MeasurementOutcome, MeasurementRequest } from './measurement.js';
import type { ObservedRolloutState } from './observed-state.js';
import type { RolloutKey } from './rollout-key.js';

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

/** One rollout of an `observedDigests` message. */
export interface ObservationDigestEntry {
  rollout: RolloutKey;
  desiredVersion: number;
  digest: string;
}

// ---------------------------------------------------------------- control plane → agent

/**
 * Level-triggered: the control plane always sends whole desired states with a version that only grows, and on
 * every (re)connection a snapshot of all of them, so no message ever needs to arrive exactly once.
 */
export type ControlPlaneMessage =
  | {
      type: 'welcome';
      protocolVersion: number;
      cluster: string;
      heartbeatIntervalSeconds: number;
      /** This control plane takes `observedDigests` in place of unchanged periodic observations (absent: it does not). */
      observationDigests?: boolean;
    }
  /** Every rollout and standalone experiment of the cluster; owned objects of keys not listed are to be removed. */
  | { type: 'snapshot'; rollouts: DesiredRollout[] }
  | { type: 'desired'; desired: DesiredRollout }
  /** The rollout (or standalone experiment) was deleted: remove what the agent created for it. */
  | { type: 'deleted'; rollout: RolloutKey; desiredVersion: number }
  /** Take one measurement and answer with `measurement`; repeated requestIds may be answered again. */
  | { type: 'measure'; request: MeasurementRequest }
  /**
   * The runs of these requests stopped: stop taking them (a job metric's Job is deleted) and do not answer. An answer
   * that still arrives changes nothing. Agents older than this message ignore it and answer as before.
   */
  | { type: 'cancel'; requestIds: string[] }
  /**
   * The answer to `observedDigests`: the rollouts whose observation the control plane does not hold as digested, to be
   * sent again in full (`observed`). Only agents that sent `observedDigests` get it.
   */
  | { type: 'observeAgain'; rollouts: RolloutKey[] }
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
  /**
   * The periodic report of rollouts whose observation did not change since it was last sent in full: each with the
   * desired version applied and the digest of that observation (`observationDigest`). Sent only to a control plane
   * whose `welcome` had `observationDigests`, which answers `observeAgain` for those it does not hold so.
   */
  | { type: 'observedDigests'; rollouts: ObservationDigestEntry[] }
  /** The answer to a `measure` request. */
  | { type: 'measurement'; requestId: string; outcome: MeasurementOutcome }
  /**
   * After a `deleted`: the agent holds nothing of the rollout any more (sent also when it held nothing), so the
   * deletion need not be sent again. Control planes older than this message refuse it and go on.
   */
  | { type: 'removed'; rollout: RolloutKey };
