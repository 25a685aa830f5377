/** What `flush` answers for a request that failed on its own: that request is rejected with `error`. */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
}

export interface MicroBatcherOptions {
  /** A batch is flushed at once when it reaches this size. */
  maxBatch?: number;
  /**
   * At most this many flushes run at once; requests made meanwhile wait and go out together as soon as one ends
   * (group commit). One keeps writers that serialize on the same rows from queueing on each other's locks.
   */
  maxInFlight?: number;
}

/**
 * Gathers the requests made during one turn of the event loop and hands them to `flush` together, so that
 * concurrent jobs share one database round trip instead of taking one each. `flush` answers every request in
 * order, with a `BatchItemFailure` for one that failed alone; if it throws, every request of the batch is
 * rejected with the error.
 */
export class MicroBatcher<Request, Answer> {
  private pending: { request: Request; resolve: (answer: Answer) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly flush: (requests: Request[]) => Promise<(Answer | BatchItemFailure)[]>,
    options: MicroBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  }

  submit(request: Request): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flushNow();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushNow());
      }
    });
  }

  private flushNow(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.inFlight += 1;
    this.flushSafely(batch.map((entry) => entry.request))
      .then(
        (answers) =>
          batch.forEach((entry, index) => {
            const answer = answers[index];
            if (answer instanceof BatchItemFailure) entry.reject(answer.error);
            else entry.resolve(answer as Answer);
          }),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.flushNow();
      });
  }

  /** `flush`, with an error it throws at once turned into a rejection like any other. */
  private flushSafely(requests: Request[]): Promise<(Answer | BatchItemFailure)[]> {
    try {
      return this.flush(requests);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
