import { activeAt, engineFreeze, type EngineFreeze, type FreezeTarget, type NamedFreezeWindow } from '@flotilla/freeze-windows';
import { systemScope, type BreakGlassStore, type FreezeWindowStore } from '@flotilla/stores';

const WORKER = systemScope('worker');

/** How long an organization's FreezeWindows, once read, are used before they are read again. */
export const FREEZE_WINDOW_CACHE_MS = 5_000;

/** What a freeze check is about: a rollout's place, and the ids a break-glass override of it may name. */
export interface FreezeSubject extends FreezeTarget {
  organizationId: string;
  /** The rollout's id, and its fleet release's id when it is a member of one. */
  overrideTargetIds: readonly string[];
}

interface CachedWindows {
  readAtMs: number;
  windows: Promise<NamedFreezeWindow[]>;
}

/**
 * Finds the freeze in effect for a rollout, as the rollout engine takes it: the organization's FreezeWindows are read
 * at most every few seconds per process, so the reconcile hot path does not query them each time; a break-glass
 * override is looked for only when some window is in effect, and lifts it.
 */
export class FreezeChecker {
  private readonly cache = new Map<string, CachedWindows>();

  constructor(
    private readonly freezeWindows: FreezeWindowStore,
    private readonly breakGlass: BreakGlassStore,
    private readonly cacheMs = FREEZE_WINDOW_CACHE_MS,
  ) {}

  /** The freeze the rollout engine must respect at `now`, or null (none in effect, or an override lifts it). */
  async freezeFor(subject: FreezeSubject, now: Date): Promise<EngineFreeze | null> {
    const windows = await this.windowsOf(subject.organizationId);
    if (windows.length === 0) return null;
    const freeze = engineFreeze(activeAt(windows, subject, now));
    if (freeze === null) return null;
    const override = await this.breakGlass.activeFor(WORKER, subject.overrideTargetIds, now);
    return override === null ? freeze : null;
  }

  private windowsOf(organizationId: string): Promise<NamedFreezeWindow[]> {
    const nowMs = performance.now();
    const cached = this.cache.get(organizationId);
    if (cached !== undefined && nowMs - cached.readAtMs < this.cacheMs) return cached.windows;
    const windows = this.freezeWindows
      .ofOrganization(WORKER, organizationId)
      .then((records) => records.map(({ name, spec }) => ({ name, spec })));
    this.cache.set(organizationId, { readAtMs: nowMs, windows });
    // A failed read is not kept: the next reconcile reads again.
    windows.catch(() => this.cache.delete(organizationId));
    return windows;
  }
}
