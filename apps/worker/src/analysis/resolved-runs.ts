import type { ResolvedRun } from '@flotilla/stores';

/**
 * The resolved specs of started runs, which never change once a run starts, so that a measurement does not read
 * and parse them again. Bounded: the run used longest ago makes room first.
 */
export class ResolvedRuns {
  /** In order of use, least recent first (a `Map` keeps insertion order). */
  private readonly known = new Map<string, ResolvedRun>();

  constructor(private readonly capacity: number) {}

  get(runId: string): ResolvedRun | undefined {
    const resolved = this.known.get(runId);
    if (resolved) {
      this.known.delete(runId);
      this.known.set(runId, resolved);
    }
    return resolved;
  }

  remember(runId: string, resolved: ResolvedRun): void {
    this.known.delete(runId);
    if (this.known.size >= this.capacity) {
      const leastRecent = this.known.keys().next();
      if (!leastRecent.done) this.known.delete(leastRecent.value);
    }
    this.known.set(runId, resolved);
  }

  forget(runId: string): void {
    this.known.delete(runId);
  }
}
