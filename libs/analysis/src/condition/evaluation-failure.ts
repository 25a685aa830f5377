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
export class EvaluationFailure extends Error {
  override readonly name = 'EvaluationFailure';

  constructor(
    readonly reason: EvaluationFailureReason,
    readonly detail: string,
    readonly position?: number,
  ) {
    super(detail);
  }

  at(position: number): EvaluationFailure {
    return this.position === undefined ? new EvaluationFailure(this.reason, this.detail, position) : this;
  }
}

export function typeMismatch(detail: string): EvaluationFailure {
  return new EvaluationFailure('type-mismatch', detail);
}
