import type { ResolvedRun } from './run-resolution.js';

/**
 * The resolved specs of started runs, which never change once a run starts, so that a measurement does not read
 * and parse them again. Bounded: the runs seen longest ago make room first.
 */
export class ResolvedRuns {
  private readonly known = new Map<string, ResolvedRun>();

  constructor(private readonly capacity: number) {}

  get(runId: string): ResolvedRun | undefined {
    return this.known.get(runId);
  }

  remember(runId: string, resolved: ResolvedRun): void {
    if (this.known.has(runId)) return;
    if (this.known.size >= this.capacity) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(runId, resolved);
  }

  forget(runId: string): void {
    this.known.delete(runId);
  }
}
