import type { AnalysisPhase } from '@flotilla/analysis';
import { rolloutSubject } from '@flotilla/notifications';
import type { NotificationQueue } from '@flotilla/queues';
import { systemScope, type NotificationDecider, type ReconcileNotifications, type RolloutStore } from '@flotilla/stores';
import { rolloutSubjectRef } from './rollout-notifications.js';

const SYSTEM = systemScope('notifications');

const PHASES: ReadonlySet<string> = new Set<AnalysisPhase>(['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive']);
const isPhase = (phase: string): phase is AnalysisPhase => PHASES.has(phase);

/** An analysis run's phase as it changes in one write. */
export interface AnalysisRunPhaseChange {
  run: { id: string; name: string; rolloutId: string | null };
  from: string;
  to: string;
  now: Date;
}

/**
 * Decides the notifications of an analysis run's phase change (`on-analysis-run-running`, `-failed`, `-error`, …)
 * on the rollout the run analyses, for the write of the new phase to store in its transaction. Runs of standalone
 * experiments and fleet waves have no rollout to subscribe and notify nothing. The change is identified by the run
 * and the phase it reaches (a run reaches each phase once), so that it notifies each subscription once.
 */
export class AnalysisRunNotifications {
  constructor(
    private readonly rollouts: RolloutStore,
    private readonly decider: NotificationDecider,
    /** Where the deliveries are queued once the change committed. */
    readonly queue: NotificationQueue,
  ) {}

  async decide({ run, from, to, now }: AnalysisRunPhaseChange): Promise<ReconcileNotifications | undefined> {
    if (run.rolloutId === null || from === to || !isPhase(to)) return undefined;
    // Most rollouts subscribe to nothing: their runs are not read for the templates.
    const subscriber = await this.rollouts.findById(SYSTEM, run.rolloutId);
    if (!subscriber || !(await this.decider.maySubscribe(subscriber.organizationId, subscriber.annotations, now))) return undefined;
    const rollout = await this.rollouts.withAnalysisRuns(SYSTEM, run.rolloutId);
    if (!rollout) return undefined;
    // The run's row is being written: the rollout's runs as read still show its former phase.
    const analysisRuns = rollout.analysisRuns.map((each) => (each.name === run.name ? { ...each, phase: to } : each));
    return this.decider.decide({
      organizationId: rollout.organizationId,
      subject: rolloutSubjectRef(rollout),
      annotations: rollout.annotations,
      changeId: `analysis-run/${run.id}/${to}`,
      events: [{ source: 'analysisRun', run: run.name, from: isPhase(from) ? from : undefined, to }],
      planSubject: () => rolloutSubject({ ...rollout, analysisRuns }),
      now,
    });
  }
}
