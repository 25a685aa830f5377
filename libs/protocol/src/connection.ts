/**
 * Version 1 of the protocol between the control plane and the agent of a cluster. The agent connects out over
 * WebSocket to `AGENT_PATH` with `Authorization: Bearer <cluster agent token>` (an unknown token is answered with
 * HTTP 401 and never upgraded); every frame is one JSON message. What may change within a version is written in
 * docs/agent-protocol.md (Versioning).
 */
export const PROTOCOL_VERSION = 1;
export const AGENT_PATH = '/agent/v1';

export type ProtocolErrorCode = 'protocol/unsupported_version' | 'protocol/invalid_message' | 'auth/unauthenticated' | 'rate_limited';

/** WebSocket close codes the control plane uses, so that the agent can tell retryable closes from final ones. */
export const CLOSE_CODES = {
  unauthenticated: 4401,
  unsupportedVersion: 4426,
  replacedByNewerConnection: 4409,
  invalidMessage: 4400,
  /** The agent kept sending over its message rate after being told `rate_limited`. */
  rateLimited: 4429,
  /**
   * WebSocket's own "going away": this control plane process is stopping. The agent connects again at once (after a
   * random delay below its base backoff, so that a replica's agents do not return in step), to whichever replica
   * the address leads to now.
   */
  goingAway: 1001,
} as const;
