import type { ApiClient } from '../api/api-client.js';
import { ROLLOUT_OPERATION_STATES, type OperationState, type RolloutRef } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import { followRollout } from './follow-rollout.js';

/** How often waiting reads the operation again without an event of the rollout. */
const OPERATION_POLL_MS = 500;

/**
 * Waits up to `waitMs` for the rollout engine to apply or refuse one operation, reading it after each change of the
 * rollout; answers its state when settled, or still `Pending` once the wait is over or stopped.
 */
export async function waitForOperation(options: {
  api: ApiClient;
  rollout: RolloutRef;
  operationId: string;
  waitMs: number;
  stopSignal: AbortSignal;
}): Promise<OperationState> {
  let latest: OperationState = { id: options.operationId, state: 'Pending', message: null };
  await followRollout({
    api: options.api,
    rollout: options.rollout,
    read: () => options.api.request<{ rolloutOperations: OperationState[] }>(ROLLOUT_OPERATION_STATES, { rollout: options.rollout }),
    onReading: ({ rolloutOperations }) => {
      const operation = rolloutOperations.find((candidate) => candidate.id === options.operationId);
      if (operation === undefined || operation.state === 'Pending') return undefined;
      latest = operation;
      return ExitCode.Ok;
    },
    pollMs: OPERATION_POLL_MS,
    timeoutMs: options.waitMs,
    stopSignal: options.stopSignal,
  });
  return latest;
}

/**
 * The line that tells what became of an operation and the exit code it ends with: 0 when applied or still pending,
 * 1 when the engine refused it.
 * @example operationOutcomeLine({ id: 'op1', state: 'Refused', message: 'the rollout is not paused' }, 'promote', '5s')
 * // => { exitCode: 1, line: 'promote refused: the rollout is not paused' }
 */
export function operationOutcomeLine(outcome: OperationState, type: string, waited: string): { exitCode: ExitCode; line: string } {
  switch (outcome.state) {
    case 'Refused':
      return { exitCode: ExitCode.Failure, line: `${type} refused: ${outcome.message ?? 'no reason given'}` };
    case 'Applied':
      return { exitCode: ExitCode.Ok, line: `${type} applied` };
    default:
      return { exitCode: ExitCode.Ok, line: `${type} still ${outcome.state} after ${waited}; "flotilla status" follows the rollout` };
  }
}
