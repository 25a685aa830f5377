/** Stable error codes returned to API clients in `extensions.code`. */
export const ErrorCode = {
  Unauthenticated: 'auth/unauthenticated',
  Forbidden: 'auth/forbidden',
  InputInvalid: 'input/invalid',
  ManifestInvalid: 'manifest/invalid',
  RequestTooLarge: 'request/too_large',
  QueryTooDeep: 'query/too_deep',
  QueryTooComplex: 'query/too_complex',
  RateLimited: 'rate_limited',
  RequestTimeout: 'request/timeout',
  ClusterNotFound: 'cluster/not_found',
  ClusterExists: 'cluster/already_exists',
  RolloutNotFound: 'rollout/not_found',
  RevisionNotFound: 'rollout/revision_not_found',
  OperationRefused: 'rollout/operation_refused',
  RolloutFleetOwned: 'rollout/fleet_owned',
  ExperimentNotFound: 'experiment/not_found',
  ExperimentOperationRefused: 'experiment/operation_refused',
  AnalysisRunNotFound: 'analysis_run/not_found',
  AnalysisRunOperationRefused: 'analysis_run/operation_refused',
  TokenNotFound: 'token/not_found',
  FleetNotFound: 'fleet/not_found',
  FleetReleaseNotFound: 'fleet/release_not_found',
  FleetOperationRefused: 'fleet/operation_refused',
  FreezeActive: 'freeze/active',
  BreakGlassNotFound: 'breakglass/not_found',
  BreakGlassConfirmationRefused: 'breakglass/confirmation_refused',
  AuditSigningOff: 'audit/signing_off',
  AuditChainBroken: 'audit/chain_broken',
  AuditCheckpointNotFound: 'audit/checkpoint_not_found',
  NotificationTemplateNotFound: 'notification/template_not_found',
  NotificationTriggerNotFound: 'notification/trigger_not_found',
  Conflict: 'conflict',
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A problem with one field of the input, named by its path. */
export interface FieldProblem {
  path: string;
  message: string;
  documentIndex?: number;
}

/** An error the API reports to its caller as it is: code, message and optional field problems. */
export class FlotillaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'FlotillaError';
  }
}

/** A refusal that may succeed later: the caller is told how long to wait. */
export class RetryLaterError extends FlotillaError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
    this.name = 'RetryLaterError';
  }
}

/** What a refusal in a freeze window names: the window and when it ends. */
export interface FreezeRefusal {
  window: string;
  reason: string;
  end: Date;
}

/** An operation refused because a freeze window covers its target now: the caller is told which one, and until when. */
export class FreezeActiveError extends FlotillaError {
  constructor(readonly freeze: FreezeRefusal) {
    super(ErrorCode.FreezeActive, `frozen by ${freeze.window} until ${freeze.end.toISOString()} (${freeze.reason})`);
    this.name = 'FreezeActiveError';
  }
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

export const notFound = (code: ErrorCode, what: string): FlotillaError => new FlotillaError(code, `${what} was not found`);
