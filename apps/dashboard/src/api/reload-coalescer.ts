/**
 * Keeps one query to one request at a time: a reload asked for while a request is being sent or in flight does not
 * start a second request beside it; the reloads asked for during a request start one more, once it has answered.
 * @example ask() starts a reload; sent(1); ask(), ask(), ask() start nothing; answered(1) starts one more reload
 */
export class ReloadCoalescer {
  private inFlight: number | undefined;
  private starting = false;
  private askedDuringRequest = false;

  constructor(private readonly startReload: () => void) {}

  ask(): void {
    if (this.starting) return;
    if (this.inFlight !== undefined) {
      this.askedDuringRequest = true;
      return;
    }
    this.starting = true;
    this.startReload();
  }

  /** Request `request` was sent: it answers every reload asked for until now. */
  sent(request: number): void {
    this.inFlight = request;
    this.starting = false;
    this.askedDuringRequest = false;
  }

  /** Request `request` answered; returns whether a reload asked for meanwhile starts now. */
  answered(request: number): boolean {
    if (this.inFlight !== request) return false;
    this.inFlight = undefined;
    if (!this.askedDuringRequest) return false;
    this.askedDuringRequest = false;
    this.ask();
    return true;
  }
}
