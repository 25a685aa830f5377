/** One audit record of a rollout, as the fleet benchmark reads it back (in the order of its organization's chain). */
export interface RolloutAuditRecord {
  rolloutId: string;
  action: string;
  /** The step index and count of a `rollout.step_completed` record. */
  stepIndex?: number;
  stepCount?: number;
}

export interface StepAudit {
  revisionsStarted: number;
  revisionsCompleted: number;
  stepsCompleted: number;
  /** One line per step a completed revision never recorded, or recorded after a later one. */
  lost: string[];
  /** One line per step recorded more than once within a revision. */
  doubled: string[];
}

interface Revision {
  rolloutId: string;
  ordinal: number;
  steps: number[];
  stepCount: number | undefined;
  completed: boolean;
}

/**
 * Checks from the audit that every revision took each of its steps once and in order: within each revision (from
 * its `rollout.revision_started` record to the next), the steps completed must be 0, 1, 2, … without a repeat,
 * and all of them once the revision completed.
 */
export function auditSteps(records: readonly RolloutAuditRecord[]): StepAudit {
  const revisions: Revision[] = [];
  const current = new Map<string, Revision>();
  let stepsCompleted = 0;
  for (const record of records) {
    if (record.action === 'rollout.revision_started') {
      const ordinal = (current.get(record.rolloutId)?.ordinal ?? -1) + 1;
      const revision: Revision = { rolloutId: record.rolloutId, ordinal, steps: [], stepCount: undefined, completed: false };
      revisions.push(revision);
      current.set(record.rolloutId, revision);
      continue;
    }
    const revision = current.get(record.rolloutId);
    if (!revision) continue;
    if (record.action === 'rollout.step_completed' && record.stepIndex !== undefined) {
      revision.steps.push(record.stepIndex);
      revision.stepCount = record.stepCount;
      stepsCompleted += 1;
    } else if (record.action === 'rollout.completed') revision.completed = true;
  }
  const lost: string[] = [];
  const doubled: string[] = [];
  for (const revision of revisions) {
    const where = `rollout ${revision.rolloutId}, revision ${revision.ordinal + 1} of the run`;
    const seen = new Set<number>();
    revision.steps.forEach((step, position) => {
      if (seen.has(step)) doubled.push(`${where}: step ${step} completed again`);
      else if (step !== position) lost.push(`${where}: step ${step} completed in position ${position + 1}`);
      seen.add(step);
    });
    if (revision.completed && revision.stepCount !== undefined)
      for (let step = 0; step < revision.stepCount; step++) if (!seen.has(step)) lost.push(`${where}: step ${step} never completed`);
  }
  return {
    revisionsStarted: revisions.length,
    revisionsCompleted: revisions.filter((revision) => revision.completed).length,
    stepsCompleted,
    lost,
    doubled,
  };
}
