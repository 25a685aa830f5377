/** What `flush` answers for a request that failed on its own: that request is rejected with `error`. */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
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

  constructor(
    private readonly flush: (requests: Request[]) => Promise<(Answer | BatchItemFailure)[]>,
    private readonly maxBatch = 256,
  ) {}

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
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.flush(batch.map((entry) => entry.request)).then(
      (answers) =>
        batch.forEach((entry, index) => {
          const answer = answers[index];
          if (answer instanceof BatchItemFailure) entry.reject(answer.error);
          else entry.resolve(answer as Answer);
        }),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
