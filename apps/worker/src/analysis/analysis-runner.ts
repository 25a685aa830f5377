import type { Metric } from '@flotilla/argo-spec';
import {
  evaluateMeasurementResult,
  isCompleted,
  isDryRunMetric,
  newMetricResult,
  nextMeasurementTime,
  assessRun,
  isTerminating,
  poolMeasurement,
  terminateInFlight,
  TERMINATED_OUTCOME,
  type AnalysisPhase,
  type ClusterOutcome,
  type Measurement,
} from '@flotilla/analysis';
import { createHttpTransport, measureMetric, providerTypeOf, redactSecrets, type HttpTransport } from '@flotilla/metric-providers';
import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import { ANSWER_GRACE_MS, measurementRequest, measurementRequestId, type EventBus, type MeasurementRequested } from '@flotilla/events';
import type { Logger } from '@flotilla/service-runtime';
import {
  resolveRun,
  systemScope,
  type AnalysisRunStore,
  type ClusterCompletion,
  type ClusterMeasurementRow,
  type EndedMeasurement,
  type MeasuredBy,
  type MeasurementBatch,
  type MeasurementCompletion,
  type PendingRun,
  type QueuedDelivery,
  type ReconcileNotifications,
  type RunAssessmentWrite,
  type RunProgress,
  type RunSnapshot,
  type RunState,
  type SqlPool,
  type SqlSession,
} from '@flotilla/stores';
import type {
  ReconcileQueue,
  AnalysisQueue,
  DueMeasurement,
  FleetReconcileQueue,
  MeasureJob,
  MeasurementAnswer,
  RecordJob,
} from '@flotilla/queues';
import type { AnalysisRunNotifications } from '../notifications/analysis-run-notifications.js';
import { MountedCredentials } from './mounted-credentials.js';
import { ResolvedRuns } from './resolved-runs.js';
import {
  beginMeasurements,
  groupByDueTime,
  settleMeasurements,
  type ScheduledMeasurement,
  type SettledMeasurement,
} from './run-settlement.js';

export interface AnalysisRunnerOptions {
  /** Seconds a measurement may take before it is recorded as an Error. */
  measurementTimeoutSeconds: number;
  /** Networks and hosts central measurements may reach although private (CIDRs, host names, `*.suffix`). */
  centralAllowList: string[];
  /** Where the provider credential Secrets of central measurements are mounted (`<directory>/<organization id>/<secret>/<key>`). */
  centralCredentialsDirectory: string | undefined;
  /** Told of each measurement recorded: its provider's type, who took it, and how long it took. */
  observeMeasurement?: (measurement: MeasurementTiming) => void;
}

export interface MeasurementTiming {
  provider: string;
  takenBy: MeasuredBy;
  seconds: number;
}

/** What recording measurements changed, for the work that follows the commit. */
interface Settled {
  next: ScheduledMeasurement[];
  /** The phase the run is in once written. */
  phase: AnalysisPhase;
  phaseChanged: boolean;
  finished: boolean;
  /** The run finished, or a metric ended it, with other measurements still in flight, which are to be ended. */
  leftInFlight: boolean;
  measured: readonly SettledMeasurement[];
  /** The notifications of the phase change stored with it, to queue after the commit. */
  deliveries?: readonly QueuedDelivery[];
}

/** A measurement a job asks for, with its metric as the run resolved it. */
interface WantedMeasurement extends DueMeasurement {
  metric: Metric;
}

/** Runs whose resolved spec is kept in memory (about 2 KB each for five web metrics). */
const RESOLVED_RUNS_KEPT = 10_000;
/**
 * The sweep re-queues a measurement only once it is this late: one due more recently is most likely queued or
 * being taken, and re-adding it would only be a no-op round trip to Redis.
 */
const SWEEP_GRACE_MS = 5_000;
const SWEEP_BATCH = 1_000;

/** The runner acts on runs by id, whatever their organization. */
const SCOPE = systemScope('analysis');
function completedMeasurement(
  { phase, value, message }: Pick<Measurement, 'phase'> & { value?: string | null; message?: string | null },
  startedAt: Date,
  finishedAt: Date,
): Measurement {
  return { phase, startedAt, finishedAt, ...(value == null ? {} : { value }), ...(message == null ? {} : { message }) };
}

/** When the metric's measurement in flight started, as the run's state holds it. */
function inFlightSince(state: RunState, metricName: string): Date | undefined {
  const last = state.results.find((result) => result.name === metricName)?.measurements.at(-1);
  return last?.phase === 'Running' ? last.startedAt : undefined;
}

/**
 * Runs analysis for rollouts: resolves a run's templates and arguments when it starts, takes the measurements of
 * a run that fall due together (through the cluster's agent, or centrally when the template allows it), records
 * outcomes, and assesses metrics and the run as Argo does. A finished run wakes its rollout's (or standalone
 * experiment's) reconcile. Every step is a job keyed by run, metrics and indexes, and every write checks the run's state first, so repeats
 * change nothing.
 */
export class AnalysisRunner {
  private readonly centralTransport: HttpTransport;
  private readonly centralCredentials: MountedCredentials;
  private readonly resolvedRuns = new ResolvedRuns(RESOLVED_RUNS_KEPT);

  constructor(
    private readonly runs: AnalysisRunStore,
    /** For the writes made under a run's lock. */
    private readonly sql: SqlPool,
    private readonly queue: AnalysisQueue,
    private readonly reconcileQueue: ReconcileQueue,
    private readonly eventBus: EventBus,
    private readonly logger: Logger,
    private readonly options: AnalysisRunnerOptions,
    /** Wakes the fleet release whose wave's run changed phase. */
    private readonly fleetQueue?: FleetReconcileQueue,
    /** Decides the notifications of a rollout's run changing phase; without it, runs notify nothing. */
    private readonly notifications?: AnalysisRunNotifications,
  ) {
    this.centralTransport = createHttpTransport({ addressPolicy: { allow: options.centralAllowList } });
    this.centralCredentials = new MountedCredentials(options.centralCredentialsDirectory);
  }

  /** Resolves the run and schedules the first measurement of each metric. */
  async start(runId: string, now = new Date()): Promise<void> {
    const run = await this.runs.pendingRun(SCOPE, runId);
    if (!run) return;
    const { analysis, stablePodTemplateHash } = run.spec;
    const stored = await Promise.all(analysis.templates.map((reference) => this.runs.template(SCOPE, run, reference)));
    const resolved = resolveRun(analysis, stored, {
      podTemplateHash: run.podTemplateHash ?? '',
      stablePodTemplateHash: stablePodTemplateHash ?? undefined,
      fieldValues: { 'metadata.name': run.rolloutName ?? run.name, 'metadata.namespace': run.namespace },
    });
    if (typeof resolved === 'string') {
      await this.finish(run, 'Error', resolved, now);
      return;
    }
    const first: ScheduledMeasurement[] = resolved.spec.metrics.map((metric) => ({
      metricName: metric.name,
      index: 0,
      at: nextMeasurementTime(metric, undefined, now) ?? now,
    }));
    const state: RunState = {
      results: resolved.spec.metrics.map((metric) => newMetricResult(metric.name, isDryRunMetric(metric.name, resolved.spec.dryRun))),
      nextAt: Object.fromEntries(first.map(({ metricName, at }) => [metricName, at.toISOString()])),
    };
    const notifications = await this.phaseNotifications(run, 'Pending', 'Running', now);
    const deliveries = await this.runs.markRunning(SCOPE, run, resolved, state, now, notifications);
    if (!deliveries) return;
    this.resolvedRuns.remember(run.id, resolved);
    await this.schedule(run.id, first);
    await Promise.all([this.wakeOwner(run, 'Running'), this.queueDeliveries(deliveries)]);
  }

  /**
   * Takes the measurements a job asks for, unless they were taken already or the run has ended: those of the
   * cluster's agent are sent to it, those of the control plane are taken here and recorded together.
   */
  async measure(job: MeasureJob, now = new Date()): Promise<void> {
    const run = await this.snapshot(job.runId);
    if (!run || run.phase !== 'Running' || run.finishedAt) return;
    const wanted = job.due.flatMap((due): WantedMeasurement[] => {
      const metric = run.resolved.spec.metrics.find((candidate) => candidate.name === due.metricName);
      return metric ? [{ ...due, metric }] : [];
    });
    const measuredBy = (measurement: WantedMeasurement): MeasuredBy => run.resolved.measuredBy[measurement.metricName] ?? 'agent';
    if (run.pooledClusters !== null) {
      await this.requestFromClusters(run, run.pooledClusters, wanted, now);
      return;
    }
    const byAgent = wanted.filter((measurement) => measuredBy(measurement) === 'agent');
    const central = wanted.filter((measurement) => measuredBy(measurement) === 'control-plane');
    // Nothing can be measured in a cluster whose agent is away: the run waits rather than counting errors, and
    // the sweep asks again for the measurements, which are still due, once the agent is back.
    if (byAgent.length > 0 && run.agentConnected) await this.requestFromAgent(run, byAgent, now);
    if (central.length > 0) await this.measureCentrally(run, central, now);
  }

  /**
   * Stores the measurements as in flight, then asks the cluster's agent for them: in one statement against the
   * run as read before, or, if it changed meanwhile, under the run's lock against the run as it is.
   */
  private async requestFromAgent(run: RunSnapshot, wanted: readonly WantedMeasurement[], now: Date): Promise<void> {
    const { clusterId } = run;
    if (clusterId === null) return;
    const batch: MeasurementBatch = {
      runId: run.id,
      takenBy: 'agent',
      startedAt: now,
      finishedAt: null,
      measurements: wanted.map((measurement) => ({
        metricName: measurement.metricName,
        index: measurement.index,
        phase: 'Running',
        value: null,
        message: null,
        requestId: measurementRequestId(run.id, measurement),
      })),
    };
    const inFlight = (state: RunState, measurements: readonly WantedMeasurement[]): RunState =>
      beginMeasurements(
        state,
        run.resolved,
        measurements.map((measurement) => measurement.metricName),
        now,
      );
    const begun = (await this.runs.beginIfUnchanged(SCOPE, run, batch, inFlight(run.state, wanted)))
      ? wanted
      : await this.sql.transaction(async (session) => {
          const locked = await this.runs.lockRun(SCOPE, session, run.id);
          if (!locked || locked.phase !== 'Running') return [];
          const created = await this.runs.insertMeasurements(SCOPE, session, batch);
          const started = wanted.filter((measurement) => created.has(measurement.metricName));
          if (started.length > 0) await this.runs.writeRunProgress(SCOPE, session, run.id, inFlight(locked.state, started));
          return started;
        });
    if (begun.length === 0) return;
    const requested: MeasurementRequested = {
      clusterId,
      requests: begun.map((measurement) => this.requestOf(run, measurement)),
    };
    await this.eventBus.publish('measurementRequested', { organizationId: run.organizationId, payload: requested });
  }

  /**
   * A pooled run's measurements: one in-flight row per metric and cluster, stored under the run's lock, then the
   * same requests sent to every cluster's agent at once. Each metric is measured by the agents (a pooled run's
   * templates are ClusterAnalysisTemplates, whose secrets stay in the clusters); a cluster whose agent is away
   * simply does not answer, and the sweep then makes the pooled measurement an Error.
   */
  private async requestFromClusters(
    run: RunSnapshot,
    clusters: readonly { id: string; name: string }[],
    wanted: readonly WantedMeasurement[],
    now: Date,
  ): Promise<void> {
    const begun = await this.sql.transaction(async (session) => {
      const locked = await this.runs.lockRun(SCOPE, session, run.id);
      if (!locked || locked.phase !== 'Running') return [];
      const created = await this.runs.insertClusterRequests(SCOPE, session, {
        runId: run.id,
        startedAt: now,
        requests: wanted.flatMap((measurement) =>
          clusters.map((cluster) => ({
            metricName: measurement.metricName,
            index: measurement.index,
            cluster: cluster.name,
            requestId: measurementRequestId(run.id, measurement),
          })),
        ),
      });
      const started = wanted.filter((measurement) => created.has(measurement.metricName));
      if (started.length > 0)
        await this.runs.writeRunProgress(
          SCOPE,
          session,
          run.id,
          beginMeasurements(
            locked.state,
            run.resolved,
            started.map((measurement) => measurement.metricName),
            now,
          ),
        );
      return started;
    });
    if (begun.length === 0) return;
    const requests = begun.map((measurement) => this.requestOf(run, measurement));
    await Promise.all(
      clusters.map((cluster) =>
        this.eventBus.publish('measurementRequested', { organizationId: run.organizationId, payload: { clusterId: cluster.id, requests } }),
      ),
    );
  }

  /**
   * Takes measurements from the control plane, side by side, and stores them once, completed: with no agent to
   * wait for, in-flight rows would only cost another write. They finish together when the last answer is in, so
   * metrics of one interval stay due together. They are recorded in one statement against the run as read before
   * measuring; if it changed meanwhile, under the run's lock against the run as it is. A retried job measures
   * again; the measurements' unique key keeps the first answers.
   */
  private async measureCentrally(run: RunSnapshot, wanted: readonly WantedMeasurement[], startedAt: Date): Promise<void> {
    const outcomes = await Promise.all(
      wanted.map(async (measurement) => {
        const request = this.requestOf(run, measurement);
        const credentials = this.centralCredentials.session(run.organizationId);
        const outcome = await measureMetric(request.metric, {
          http: this.centralTransport,
          secrets: credentials.lookup,
          run: request.run,
          measurementIndex: request.measurementIndex,
          timeoutMs: this.options.measurementTimeoutSeconds * 1000,
          // The whole measurement, as an agent's: a provider that polls (Kayenta) would otherwise hold its job for good.
          signal: AbortSignal.timeout(this.options.measurementTimeoutSeconds * 1000),
        });
        return redactSecrets(outcome, credentials.revealed);
      }),
    );
    const finishedAt = new Date();
    const evaluated = wanted.map((measurement, position) => ({
      ...measurement,
      ...evaluateOutcome(measurement.metric, outcomes[position] as MeasurementOutcome, finishedAt),
    }));
    const batch: MeasurementBatch = {
      runId: run.id,
      takenBy: 'control-plane',
      startedAt,
      finishedAt,
      measurements: evaluated.map((measurement) => ({
        metricName: measurement.metricName,
        index: measurement.index,
        phase: measurement.phase,
        value: measurement.value ?? null,
        message: measurement.message ?? null,
        requestId: measurementRequestId(run.id, measurement),
      })),
    };
    const completed = evaluated.map((measurement): SettledMeasurement => ({
      metricName: measurement.metricName,
      index: measurement.index,
      measurement: completedMeasurement(measurement, startedAt, finishedAt),
    }));
    const optimistic = this.assess(run, run, completed, finishedAt);
    // A phase change is written under the run's lock, in a transaction that stores its notifications too.
    if (!optimistic.settled.phaseChanged && (await this.runs.recordIfUnchanged(SCOPE, run, batch, optimistic.write))) {
      await this.followUp(run, optimistic.settled);
      return;
    }
    const settled = await this.sql.transaction(async (session) => {
      const locked = await this.runs.lockRun(SCOPE, session, run.id);
      if (!locked || locked.phase !== 'Running') return undefined;
      const created = await this.runs.insertMeasurements(SCOPE, session, batch);
      const stored = completed.filter((measurement) => created.has(measurement.metricName));
      return stored.length === 0 ? undefined : this.settle(session, run, locked, stored, finishedAt);
    });
    await this.followUp(run, settled);
  }

  /**
   * Records an agent's answers for in-flight measurements of a run, assesses the metrics and the run once, and
   * schedules what comes next: in one statement against the run as read before, or, if it changed meanwhile,
   * under the run's lock against the run as it is. Answers for measurements no longer in flight change nothing.
   */
  async record(job: RecordJob): Promise<void> {
    const run = await this.snapshot(job.runId);
    if (!run || run.phase !== 'Running' || run.finishedAt) return;
    if (run.pooledClusters !== null) {
      if (job.cluster !== undefined) await this.recordClusterAnswers(run, run.pooledClusters, job.cluster, job.answers);
      return;
    }
    const completions = job.answers.flatMap((answer): MeasurementCompletion[] => {
      const metric = run.resolved.spec.metrics.find((candidate) => candidate.name === answer.metricName);
      if (!metric) return [];
      const evaluated = evaluateOutcome(metric, answer.outcome, answer.answeredAt);
      return [
        {
          metricName: answer.metricName,
          index: answer.index,
          phase: evaluated.phase,
          value: evaluated.value ?? null,
          message: evaluated.message ?? null,
          finishedAt: answer.answeredAt,
        },
      ];
    });
    if (completions.length === 0) return;
    const lastAnswerAt = new Date(Math.max(...completions.map((completion) => completion.finishedAt.getTime())));
    const settledFrom = (startedAt: (metricName: string) => Date | undefined): SettledMeasurement[] =>
      completions.flatMap((completion) => {
        const started = startedAt(completion.metricName);
        return started
          ? [
              {
                metricName: completion.metricName,
                index: completion.index,
                measurement: completedMeasurement(completion, started, completion.finishedAt),
              },
            ]
          : [];
      });
    const optimistic = settledFrom((metricName) => inFlightSince(run.state, metricName));
    if (optimistic.length === completions.length) {
      const { write, settled } = this.assess(run, run, optimistic, lastAnswerAt);
      if (!settled.phaseChanged && (await this.runs.completeIfUnchanged(SCOPE, run, completions, write))) {
        await this.followUp(run, settled);
        return;
      }
    }
    const settled = await this.sql.transaction(async (session) => {
      const locked = await this.runs.lockRun(SCOPE, session, run.id);
      if (!locked || locked.phase !== 'Running') return undefined;
      const started = await this.runs.completeMeasurements(SCOPE, session, run.id, completions);
      const stored = settledFrom((metricName) => started.get(metricName));
      return stored.length === 0 ? undefined : this.settle(session, run, locked, stored, lastAnswerAt);
    });
    await this.followUp(run, settled);
  }

  /**
   * Records one cluster's answers to its parts of pooled measurements; each measurement every cluster has answered
   * is then pooled (`poolMeasurement`: the conditions over `[{ cluster, value }]`, Error when any part is), stored as
   * the run's measurement (cluster null), and assessed with Argo's rules, all under the run's lock.
   */
  private async recordClusterAnswers(
    run: RunSnapshot,
    clusters: readonly { id: string; name: string }[],
    cluster: string,
    answers: readonly MeasurementAnswer[],
  ): Promise<void> {
    if (!clusters.some((candidate) => candidate.name === cluster)) return;
    const completions = answers.map((answer): ClusterCompletion => ({
      metricName: answer.metricName,
      index: answer.index,
      cluster,
      ...clusterPart(answer),
      finishedAt: answer.answeredAt,
    }));
    const lastAnswerAt = new Date(Math.max(...completions.map((completion) => completion.finishedAt.getTime())));
    const settled = await this.sql.transaction(async (session) => {
      const locked = await this.runs.lockRun(SCOPE, session, run.id);
      if (!locked || locked.phase !== 'Running') return undefined;
      const completed = await this.runs.completeClusterMeasurements(SCOPE, session, run.id, completions);
      if (completed.length === 0) return undefined;
      const parts = await this.runs.clusterMeasurements(SCOPE, session, run.id, completed);
      const pooled = completed.flatMap(({ metricName, index }): SettledMeasurement[] => {
        const metric = run.resolved.spec.metrics.find((candidate) => candidate.name === metricName);
        const mine = parts.filter((part) => part.metricName === metricName && part.index === index);
        const outcome =
          metric &&
          poolMeasurement(
            metric,
            clusters.map((each) => each.name),
            answeredParts(mine),
            false,
            lastAnswerAt,
          );
        if (!outcome) return [];
        const startedAt = new Date(Math.min(...mine.map((part) => part.startedAt.getTime())));
        return [{ metricName, index, measurement: completedMeasurement(outcome, startedAt, lastAnswerAt) }];
      });
      if (pooled.length === 0) return undefined;
      await this.runs.insertMeasurements(SCOPE, session, {
        runId: run.id,
        takenBy: 'agent',
        startedAt: pooled[0]?.measurement.startedAt ?? lastAnswerAt,
        finishedAt: lastAnswerAt,
        measurements: pooled.map(({ metricName, index, measurement }) => ({
          metricName,
          index,
          phase: measurement.phase,
          value: measurement.value ?? null,
          message: measurement.message ?? null,
          requestId: measurementRequestId(run.id, { metricName, index }),
        })),
      });
      return this.settle(session, run, locked, pooled, lastAnswerAt);
    });
    await this.followUp(run, settled);
  }

  /** Adds completed measurements to the run's state and assesses the metrics and the run as Argo does. */
  private assess(
    run: RunSnapshot,
    progress: RunProgress,
    measurements: readonly SettledMeasurement[],
    now: Date,
  ): { write: RunAssessmentWrite; settled: Settled } {
    const settlement = settleMeasurements(progress.state, run.resolved, progress.startedAt, measurements);
    const finished = isCompleted(settlement.phase);
    const stopping = finished || isTerminating(run.resolved.spec, settlement.state.results);
    const leftInFlight = stopping && settlement.state.results.some((result) => result.measurements.at(-1)?.phase === 'Running');
    return {
      write: { phase: settlement.phase, message: settlement.message, state: settlement.state, finishedAt: finished ? now : undefined },
      settled: {
        next: settlement.next,
        phase: settlement.phase,
        phaseChanged: settlement.phase !== progress.phase,
        finished,
        leftInFlight,
        measured: measurements,
      },
    };
  }

  /** Assesses and writes the run; the caller holds the run's lock and has stored the measurements' rows. */
  private async settle(
    session: SqlSession,
    run: RunSnapshot,
    locked: RunProgress,
    measurements: readonly SettledMeasurement[],
    now: Date,
  ): Promise<Settled> {
    const { write, settled } = this.assess(run, locked, measurements, now);
    const notifications = settled.phaseChanged ? await this.phaseNotifications(run, locked.phase, write.phase, now) : undefined;
    const deliveries = await this.runs.writeRunAssessment(SCOPE, session, run.id, write, notifications);
    return { ...settled, deliveries };
  }

  /** After the commit: the metrics' next measurements, and the owner's reconcile when the run's phase moved. */
  private async followUp(run: RunSnapshot, settled: Settled | undefined): Promise<void> {
    if (!settled) return;
    this.reportTimings(run, settled.measured);
    if (settled.leftInFlight) await this.endInFlight(run.id);
    if (settled.finished) this.resolvedRuns.forget(run.id);
    await this.schedule(run.id, settled.next);
    await this.queueDeliveries(settled.deliveries);
    if (settled.phaseChanged) await this.wakeOwner(run, settled.phase);
  }

  private reportTimings(run: RunSnapshot, measured: readonly SettledMeasurement[]): void {
    const observe = this.options.observeMeasurement;
    if (!observe) return;
    for (const { metricName, measurement } of measured) {
      const metric = run.resolved.spec.metrics.find((candidate) => candidate.name === metricName);
      if (!metric || !measurement.startedAt || !measurement.finishedAt) continue;
      observe({
        provider: providerTypeOf(metric.provider),
        takenBy: run.resolved.measuredBy[metricName] ?? 'agent',
        seconds: Math.max(0, measurement.finishedAt.getTime() - measurement.startedAt.getTime()) / 1000,
      });
    }
  }

  /**
   * Ends the measurements in flight of a run that stops (its owner terminated it, or a metric ended it), as upstream's
   * controller terminates them at its next reconcile: each is Inconclusive, "Metric Terminated", and its metric is
   * assessed as terminating. A run its owner ended keeps its phase; one a metric is ending is assessed again, and so
   * ends. Then the agents measuring them are told to cancel them (a job metric's Job is deleted). An answer that
   * arrives later finds neither the run Running nor the measurement in flight.
   */
  async endInFlight(runId: string, now = new Date()): Promise<void> {
    const run = await this.snapshot(runId);
    if (!run || !isStopping(run, run)) return;
    const outcome = await this.sql.transaction(async (session) => {
      const locked = await this.runs.lockRun(SCOPE, session, runId);
      if (!locked || !isStopping(run, locked)) return undefined;
      const ended = await this.runs.endInFlight(SCOPE, session, runId, { ...TERMINATED_OUTCOME, finishedAt: now });
      const { metricResults } = terminateInFlight(locked.state.results, run.resolved.spec, now);
      const state: RunState = {
        results: metricResults,
        nextAt: Object.fromEntries(Object.keys(locked.state.nextAt).map((metricName) => [metricName, null])),
      };
      if (locked.phase !== 'Running') {
        await this.runs.writeRunProgress(SCOPE, session, runId, state);
        return { ended, phase: locked.phase, phaseChanged: false };
      }
      const { phase, message } = assessRun(metricResults, run.resolved.spec);
      const notifications = phase === locked.phase ? undefined : await this.phaseNotifications(run, locked.phase, phase, now);
      const write = { phase, message, state, finishedAt: isCompleted(phase) ? now : undefined };
      const deliveries = await this.runs.writeRunAssessment(SCOPE, session, runId, write, notifications);
      return { ended, phase, phaseChanged: phase !== locked.phase, deliveries };
    });
    if (!outcome) return;
    this.resolvedRuns.forget(runId);
    if ('deliveries' in outcome) await this.queueDeliveries(outcome.deliveries);
    if (outcome.phaseChanged) await this.wakeOwner(run, outcome.phase);
    if (outcome.ended.length === 0) return;
    this.logger.info({ run: run.name, ended: outcome.ended.length }, 'measurements in flight of a stopping run ended');
    await this.cancelInClusters(run, outcome.ended);
  }

  /** Tells the agent of each cluster measuring them to stop taking these measurements. */
  private async cancelInClusters(run: RunSnapshot, ended: readonly EndedMeasurement[]): Promise<void> {
    const clusterIdOf = (cluster: string | null): string | null =>
      cluster === null ? run.clusterId : (run.pooledClusters?.find((candidate) => candidate.name === cluster)?.id ?? null);
    const requestIdsByCluster = new Map<string, string[]>();
    for (const { cluster, requestId } of ended) {
      const clusterId = clusterIdOf(cluster);
      if (clusterId === null || requestId === null) continue;
      requestIdsByCluster.set(clusterId, [...(requestIdsByCluster.get(clusterId) ?? []), requestId]);
    }
    await Promise.all(
      [...requestIdsByCluster].map(([clusterId, requestIds]) =>
        this.eventBus.publish('measurementsCancelled', { organizationId: run.organizationId, payload: { clusterId, requestIds } }),
      ),
    );
  }

  /** One job per moment at which measurements of the run fall due. */
  private async schedule(runId: string, scheduled: readonly ScheduledMeasurement[]): Promise<void> {
    await Promise.all(groupByDueTime(scheduled).map((group) => this.queue.measureAt(runId, group.due, group.at)));
  }

  /** The run as it is now, its resolved spec read from Postgres only the first time. */
  private async snapshot(runId: string): Promise<RunSnapshot | undefined> {
    const known = this.resolvedRuns.get(runId);
    const run = await this.runs.snapshot(SCOPE, runId, known);
    if (run && !known) this.resolvedRuns.remember(runId, run.resolved);
    return run;
  }

  private requestOf(run: RunSnapshot, measurement: WantedMeasurement): MeasurementRequest {
    return measurementRequest(run, measurement, this.options.measurementTimeoutSeconds);
  }

  /**
   * Re-derives the analysis work that should be queued from Postgres alone: runs whose owner is done with them
   * (ended here: a fleet release no longer active, a rollout deleted), runs not started, measurements in flight of
   * runs that stopped (ended here), measurements due (grouped by due time as when they were scheduled, so that a job
   * still queued is not queued twice), and measurements whose answer is overdue (recorded as Errors).
   */
  async sweep(now = new Date()): Promise<void> {
    const abandoned = await this.runs.endAbandonedRuns(SCOPE, now);
    if (abandoned > 0) this.logger.info({ ended: abandoned }, 'analysis runs whose owner is done with them ended');
    for (const runId of await this.runs.pendingRunIds(SCOPE, SWEEP_BATCH)) await this.queue.start(runId);
    for (const runId of await this.runs.stoppedRunsInFlight(SCOPE, SWEEP_BATCH)) await this.endInFlight(runId, now);
    const dueBy = new Date(now.getTime() - SWEEP_GRACE_MS);
    for (const run of await this.runs.dueRuns(SCOPE, dueBy, SWEEP_BATCH)) {
      const due = Object.entries(run.nextAt).flatMap(([metricName, at]): ScheduledMeasurement[] =>
        at !== null && new Date(at) <= dueBy ? [{ metricName, index: run.nextIndex[metricName] ?? 0, at: new Date(at) }] : [],
      );
      await this.schedule(run.id, due);
    }
    const timeoutSeconds = this.options.measurementTimeoutSeconds;
    const unanswered = new Map<string, MeasurementAnswer[]>();
    for (const measurement of await this.runs.overdueMeasurements(
      SCOPE,
      new Date(now.getTime() - timeoutSeconds * 1000 - 2 * ANSWER_GRACE_MS),
      SWEEP_BATCH,
    )) {
      const error = `no answer from ${measurement.takenBy === 'agent' ? "the cluster's agent" : 'the provider'} within ${timeoutSeconds} s`;
      const answer: MeasurementAnswer = {
        metricName: measurement.metricName,
        index: measurement.index,
        outcome: { ok: false, error },
        answeredAt: now,
      };
      // A pooled run's parts are recorded per cluster: one missing part makes the pooled measurement an Error.
      const key = JSON.stringify([measurement.analysisRunId, measurement.cluster]);
      unanswered.set(key, [...(unanswered.get(key) ?? []), answer]);
    }
    for (const [key, answers] of unanswered) {
      const [runId, cluster] = JSON.parse(key) as [string, string | null];
      await this.queue.record(runId, answers, cluster ?? undefined);
    }
  }

  private async finish(run: PendingRun, phase: AnalysisPhase, message: string, now: Date): Promise<void> {
    const notifications = await this.phaseNotifications(run, 'Pending', phase, now);
    const deliveries = await this.runs.finishRun(SCOPE, run.id, phase, message, now, notifications);
    if (!deliveries) return;
    this.logger.info({ run: run.name, phase, message }, 'analysis run ended');
    await Promise.all([this.wakeOwner(run, phase), this.queueDeliveries(deliveries)]);
  }

  /** The notifications of the run's phase moving from `from` to `to`, for the write of the new phase to store. */
  private async phaseNotifications(
    run: { id: string; name: string; rolloutId: string | null },
    from: string,
    to: string,
    now: Date,
  ): Promise<ReconcileNotifications | undefined> {
    return this.notifications?.decide({ run, from, to, now });
  }

  /** After the commit; the sweep sends any whose job is lost. */
  private async queueDeliveries(deliveries: readonly QueuedDelivery[] | undefined): Promise<void> {
    const notifications = this.notifications;
    if (!notifications || !deliveries) return;
    await Promise.all(deliveries.map((delivery) => notifications.queue.deliver(delivery.id, delivery.attempts)));
  }

  /**
   * The run's rollout, its standalone experiment, or its fleet release reads its phase at its next reconcile: a trigger
   * for the run reaching `phase`, which a reconcile already under way (having read the run before) does not turn away.
   */
  private async wakeOwner(
    run: { id: string; rolloutId: string | null; experimentId: string | null; fleetReleaseId: string | null },
    phase: string,
  ): Promise<void> {
    if (run.fleetReleaseId) {
      const version = await this.runs.fleetReleaseVersion(SCOPE, run.fleetReleaseId);
      if (version !== undefined) await this.fleetQueue?.runPhaseChanged(run.fleetReleaseId, version, run.id, phase);
    } else if (run.rolloutId) {
      const version = await this.runs.rolloutVersion(SCOPE, run.rolloutId);
      if (version !== undefined) await this.reconcileQueue.runPhaseChanged(run.rolloutId, version, run.id, phase);
    } else if (run.experimentId) {
      const version = await this.runs.standaloneExperimentVersion(SCOPE, run.experimentId);
      if (version !== undefined) await this.reconcileQueue.experimentRunPhaseChanged(run.experimentId, version, run.id, phase);
    }
  }
}

/** A run that ended (by its own assessment, or its owner terminated it), or that a metric is ending. */
const isStopping = (run: RunSnapshot, progress: RunProgress): boolean =>
  progress.phase !== 'Pending' && (progress.phase !== 'Running' || isTerminating(run.resolved.spec, progress.state.results));

/**
 * One cluster's part of a pooled measurement as it is stored: the provider's value as JSON (what the pooled
 * conditions read as `value`) with phase Successful, Error with the reason, or the phase a provider decided itself.
 */
function clusterPart(answer: MeasurementAnswer): Pick<ClusterCompletion, 'phase' | 'value' | 'message'> {
  const { outcome } = answer;
  if (!outcome.ok) return { phase: 'Error', value: null, message: outcome.error };
  if (outcome.phase === 'Error') return { phase: 'Error', value: null, message: 'the provider decided Error' };
  return { phase: outcome.phase ?? 'Successful', value: JSON.stringify(outcome.value ?? null), message: null };
}

/**
 * The answered parts, as `poolMeasurement` takes them; parts still in flight are left out. A part Failed or
 * Inconclusive was decided by its provider (a provider's Successful reads as the value it stored).
 */
function answeredParts(parts: readonly ClusterMeasurementRow[]): Map<string, ClusterOutcome> {
  const answered = new Map<string, ClusterOutcome>();
  for (const part of parts) {
    if (part.phase === 'Error') answered.set(part.cluster, { ok: false, error: part.message ?? 'error' });
    else if (part.phase === 'Failed' || part.phase === 'Inconclusive')
      answered.set(part.cluster, { ok: true, value: null, phase: part.phase });
    else if (part.phase === 'Successful')
      answered.set(part.cluster, { ok: true, value: part.value === null ? null : (JSON.parse(part.value) as unknown) });
  }
  return answered;
}

/** The phase of one measurement from what the provider returned, as Argo evaluates it. */
export function evaluateOutcome(
  metric: Metric,
  outcome: MeasurementOutcome,
  measuredAt: Date,
): { phase: 'Successful' | 'Failed' | 'Error' | 'Inconclusive'; value?: string; message?: string } {
  if (!outcome.ok) return { phase: 'Error', message: outcome.error };
  if (outcome.phase) return { phase: outcome.phase, value: outcome.rawValue };
  const evaluation = evaluateMeasurementResult(metric, outcome.value, measuredAt);
  return { phase: evaluation.phase, value: outcome.rawValue, ...(evaluation.message ? { message: evaluation.message } : {}) };
}
