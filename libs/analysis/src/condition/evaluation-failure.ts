export type EvaluationFailureReason =
  | 'type-mismatch'
  | 'invalid-value'
  | 'index-out-of-range'
  | 'forbidden-property'
  | 'missing-argument'
  | 'unknown-function'
  | 'not-boolean'
  | 'syntax';

/** Raised inside the evaluator and turned into a returned `ConditionEvaluationError` at its boundary. */
export class EvaluationFailure {
  constructor(
    readonly reason: EvaluationFailureReason,
    readonly detail: string,
    readonly position?: number,
  ) {}

  at(position: number): EvaluationFailure {
    return this.position === undefined ? new EvaluationFailure(this.reason, this.detail, position) : this;
  }
}

export function typeMismatch(detail: string): EvaluationFailure {
  return new EvaluationFailure('type-mismatch', detail);
}
