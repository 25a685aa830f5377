import { restartTime, type RestartTiming } from '@flotilla/rollout-engine';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { OperationRequest } from './rollouts.service.js';

/** The restart operation for `in` or `at` as of `now`, or an `input/invalid` error naming the field. */
export function restartOperation(timing: RestartTiming, now: Date): OperationRequest {
  const decision = restartTime(timing, now);
  if (!decision.ok)
    throw new FlotillaError(ErrorCode.InputInvalid, `${decision.problem.path} ${decision.problem.message}`, [decision.problem]);
  return decision.at === undefined ? { type: 'restart' } : { type: 'restart', at: decision.at };
}
