import { MAX_REASON_LENGTH, unstorableTextProblem } from '@flotilla/argo-spec';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';

/** A reason kept in the audit record: at most MAX_REASON_LENGTH characters of text Postgres can store. */
export function assertReason(reason: string | null): void {
  if (reason === null) return;
  const problem =
    reason.length > MAX_REASON_LENGTH
      ? `must be at most ${MAX_REASON_LENGTH} characters, not ${reason.length}`
      : unstorableTextProblem(reason);
  if (problem !== undefined) throw new FlotillaError(ErrorCode.InputInvalid, `reason ${problem}`, [{ path: 'reason', message: problem }]);
}
