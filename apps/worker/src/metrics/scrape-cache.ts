/**
 * A value loaded when a scrape asks for it and kept for `maxAgeMs`, so that however many scrapers and families ask,
 * the source is read at most once per period; scrapes that ask while it loads share the load. A load that takes
 * longer than `timeoutMs` fails that scrape (the load itself may still land for the next).
 */
export class ScrapeCache<T> {
  private kept: { value: T; at: number } | undefined;
  private loading: Promise<T> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: { maxAgeMs: number; timeoutMs: number },
    private readonly clock: () => number = Date.now,
  ) {}

  read(): Promise<T> {
    if (this.kept && this.clock() - this.kept.at < this.options.maxAgeMs) return Promise.resolve(this.kept.value);
    this.loading ??= this.load()
      .then((value) => {
        this.kept = { value, at: this.clock() };
        return value;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return withTimeout(this.loading, this.options.timeoutMs);
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not read within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
