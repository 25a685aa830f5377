import type { Logger } from '@flotilla/service-runtime';

/** Another writer changed the row (a rollout, an experiment or a fleet release) between our read and our write. */
export class VersionConflict extends Error {
  constructor(
    readonly kind: 'rollout' | 'experiment' | 'fleet release',
    readonly id: string,
  ) {
    super(`${kind} ${id} changed while it was being reconciled`);
    this.name = 'VersionConflict';
  }
}

const MAX_ATTEMPTS = 5;

/** Runs a reconcile, and again from a fresh read each time it loses the version race, at most five times in all. */
export async function reconcileUntilWritten<T>(reconcileOnce: () => Promise<T>, logger: Logger, context: object): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await reconcileOnce();
    } catch (error) {
      if (!(error instanceof VersionConflict) || attempt === MAX_ATTEMPTS) throw error;
      logger.debug({ ...context, attempt }, 'version conflict, reconciling again');
    }
  }
}
