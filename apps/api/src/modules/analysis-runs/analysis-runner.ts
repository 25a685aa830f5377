import type { Metric, RolloutAnalysis, AnalysisTemplateSpec } from '@flotilla/argo-spec';
import {
  assessRun,
  evaluateMeasurementResult,
  isDryRunMetric,
  measurementRetentionLimit,
  newMetricResult,
  nextMeasurementTime,
  recordMeasurement,
  type AnalysisPhase,
  type Measurement,
} from '@flotilla/analysis';
import { createHttpTransport, measureMetric, type HttpTransport } from '@flotilla/metric-providers';
import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import type { AnalysisRun, Prisma } from '../../generated/prisma/client.js';
import { inTransaction, type DatabaseClient, type Transaction } from '../../infrastructure/database.js';
import type { EventBus } from '../../infrastructure/event-bus.js';
import type { Logger } from '../../infrastructure/logger.js';
import type { ReconcileQueue } from '../reconcile/reconcile-queue.js';
import type { AnalysisQueue, MeasureJob, RecordJob } from './analysis-queue.js';
import { resolveRun, type ResolvedRun, type StoredTemplate } from './run-resolution.js';
import { earliestDue, loadRunState, storeRunState, type RunState } from './run-state.js';

export interface AnalysisRunnerOptions {
  /** Seconds a measurement may take before it is recorded as an Error. */
  measurementTimeoutSeconds: number;
  /** Networks and hosts central measurements may reach although private (CIDRs, host names, `*.suffix`). */
  centralAllowList: string[];
}

/** What the reconciler stored when it asked for the run, and what `start` adds. */
interface RunSpecDocument {
  analysis: RolloutAnalysis;
  stablePodTemplateHash: string | null;
  resolved?: ResolvedRun;
}

export interface MeasurementRequested {
  clusterId: string;
  request: MeasurementRequest;
}

/** What recording a measurement changed, for the work that follows the commit. */
interface Settled {
  run: AnalysisRun;
  nextAt: Date | undefined;
  phaseChanged: boolean;
}

type EvaluatedOutcome = ReturnType<typeof evaluateOutcome>;

const COMPLETED: readonly string[] = ['Successful', 'Failed', 'Error', 'Inconclusive'];

const requestIdOf = (job: MeasureJob): string => `${job.runId}.${job.metricName}.${job.index}`;

/**
 * Runs analysis for rollouts: resolves a run's templates and arguments when it starts, takes each measurement
 * when it is due (through the cluster's agent, or centrally when the template allows it), records outcomes, and
 * assesses metrics and the run as Argo does. A finished run wakes the rollout's reconcile. Every step is a job
 * keyed by run, metric and index, and every write checks the run's state first, so repeats change nothing.
 */
export class AnalysisRunner {
  private readonly centralTransport: HttpTransport;

  constructor(
    private readonly database: DatabaseClient,
    private readonly queue: AnalysisQueue,
    private readonly reconcileQueue: ReconcileQueue,
    private readonly eventBus: EventBus,
    private readonly logger: Logger,
    private readonly options: AnalysisRunnerOptions,
  ) {
    this.centralTransport = createHttpTransport({ addressPolicy: { allow: options.centralAllowList } });
  }

  /** Resolves the run and schedules the first measurement of each metric. */
  async start(runId: string, now = new Date()): Promise<void> {
    const run = await this.database.analysisRun.findUnique({ where: { id: runId }, include: { rollout: { select: { name: true, clusterId: true } } } });
    if (!run || run.phase !== 'Pending') return;
    const document = run.spec as unknown as RunSpecDocument;
    const stored = await this.templatesOf(run, document.analysis);
    const resolved = resolveRun(document.analysis, stored, {
      podTemplateHash: run.podTemplateHash ?? '',
      stablePodTemplateHash: document.stablePodTemplateHash ?? undefined,
      fieldValues: { 'metadata.name': run.rollout?.name ?? run.name, 'metadata.namespace': run.namespace },
    });
    if (typeof resolved === 'string') {
      await this.finish(run, 'Error', resolved, now);
      return;
    }
    const state: RunState = { results: [], nextAt: {} };
    for (const metric of resolved.spec.metrics) {
      state.results.push(newMetricResult(metric.name, isDryRunMetric(metric.name, resolved.spec.dryRun)));
      state.nextAt[metric.name] = (nextMeasurementTime(metric, undefined, now) ?? now).toISOString();
    }
    const updated = await this.database.analysisRun.updateMany({
      where: { id: run.id, phase: 'Pending' },
      data: {
        spec: { ...document, resolved } as unknown as Prisma.InputJsonValue,
        phase: 'Running',
        message: '',
        startedAt: now,
        metricResults: storeRunState(state) as Prisma.InputJsonValue,
        nextMeasurementAt: earliestDue(state),
      },
    });
    if (updated.count === 0) return;
    for (const metric of resolved.spec.metrics) await this.queue.measureAt(run.id, metric.name, 0, new Date(state.nextAt[metric.name] as string), now);
    await this.wakeRollout(run);
  }

  /** Takes measurement `index` of a metric, unless it was taken already or the run has ended. */
  async measure(job: MeasureJob, now = new Date()): Promise<void> {
    const run = await this.database.analysisRun.findUnique({ where: { id: job.runId }, include: { cluster: { select: { connectionState: true } } } });
    if (!run || run.phase !== 'Running' || run.finishedAt) return;
    const resolved = (run.spec as unknown as RunSpecDocument).resolved;
    const metric = resolved?.spec.metrics.find((candidate) => candidate.name === job.metricName);
    if (!resolved || !metric) return;
    const measuredBy = resolved.measuredBy[metric.name] ?? 'agent';
    // Nothing can be measured in a cluster whose agent is away: the run waits rather than counting errors, and
    // the sweep asks again for the measurement, which is still due, once the agent is back.
    if (measuredBy === 'agent' && run.cluster.connectionState !== 'Connected') return;
    const requestId = requestIdOf(job);
    const request: MeasurementRequest = {
      requestId,
      run: { name: run.name, namespace: run.namespace, uid: run.id },
      metric,
      measurementIndex: job.index + 1,
      timeoutSeconds: this.options.measurementTimeoutSeconds,
    };
    if (measuredBy === 'control-plane') {
      await this.measureCentrally(job, request, now);
      return;
    }
    const begun = await inTransaction(this.database, async (transaction) => {
      const locked = await this.lockRun(transaction, run.id);
      if (!locked || locked.phase !== 'Running') return false;
      const created = await transaction.measurement.createMany({
        data: [{ analysisRunId: run.id, metricName: metric.name, index: job.index, phase: 'Running', takenBy: measuredBy, requestId, startedAt: now }],
        skipDuplicates: true,
      });
      if (created.count === 0) return false;
      const state = loadRunState(locked.metricResults);
      state.results = state.results.map((result) =>
        result.name === metric.name ? recordMeasurement(result, { phase: 'Running', startedAt: now }, this.retentionOf(resolved, metric.name)) : result,
      );
      state.nextAt[metric.name] = null;
      await transaction.analysisRun.update({
        where: { id: run.id },
        data: { metricResults: storeRunState(state) as Prisma.InputJsonValue, nextMeasurementAt: earliestDue(state) },
      });
      return true;
    });
    if (!begun) return;
    const requested: MeasurementRequested = { clusterId: run.clusterId, request };
    await this.eventBus.publish('measurementRequested', { organizationId: run.organizationId, payload: requested });
  }

  /**
   * Takes a measurement from the control plane and stores it once, completed, in one transaction: with no agent
   * to wait for, an in-flight row would only cost a second transaction. A retried job measures again; the
   * measurement's unique key keeps the first answer.
   */
  private async measureCentrally(job: MeasureJob, request: MeasurementRequest, startedAt: Date): Promise<void> {
    const outcome = await measureMetric(request.metric, {
      http: this.centralTransport,
      secrets: async () => undefined,
      run: request.run,
      measurementIndex: request.measurementIndex,
      timeoutMs: this.options.measurementTimeoutSeconds * 1000,
    });
    const now = new Date();
    const settled = await inTransaction(this.database, async (transaction) => {
      const run = await this.lockRun(transaction, job.runId);
      if (!run || run.phase !== 'Running') return undefined;
      const evaluated = evaluateOutcome(request.metric, outcome as MeasurementOutcome);
      const created = await transaction.measurement.createMany({
        data: [{ analysisRunId: run.id, metricName: job.metricName, index: job.index, takenBy: 'control-plane', requestId: request.requestId, startedAt, finishedAt: now, phase: evaluated.phase, value: evaluated.value ?? null, message: evaluated.message ?? null }],
        skipDuplicates: true,
      });
      if (created.count === 0) return undefined;
      return this.settle(transaction, run, job.metricName, { ...evaluated, startedAt }, now);
    });
    await this.followUp(job, settled, now);
  }

  /** Records an agent's outcome for an in-flight measurement, assesses the metric and the run, and schedules what comes next. */
  async record(job: RecordJob, now = new Date()): Promise<void> {
    const settled = await inTransaction(this.database, async (transaction) => {
      const run = await this.lockRun(transaction, job.runId);
      if (!run || run.phase !== 'Running') return undefined;
      const metric = (run.spec as unknown as RunSpecDocument).resolved?.spec.metrics.find((candidate) => candidate.name === job.metricName);
      const measurement = await transaction.measurement.findUnique({
        where: { analysisRunId_metricName_index: { analysisRunId: run.id, metricName: job.metricName, index: job.index } },
      });
      if (!metric || !measurement || measurement.phase !== 'Running') return undefined;
      const evaluated = evaluateOutcome(metric, job.outcome);
      await transaction.measurement.update({
        where: { id: measurement.id },
        data: { phase: evaluated.phase, value: evaluated.value ?? null, message: evaluated.message ?? null, finishedAt: now },
      });
      return this.settle(transaction, run, job.metricName, { ...evaluated, startedAt: measurement.startedAt }, now);
    });
    await this.followUp(job, settled, now);
  }

  /**
   * Adds a completed measurement to the run's state, assesses the metric and the run as Argo does, and writes the
   * run. The caller holds the run's lock and has stored the measurement's row.
   */
  private async settle(transaction: Transaction, run: AnalysisRun, metricName: string, evaluated: EvaluatedOutcome & { startedAt: Date }, now: Date): Promise<Settled | undefined> {
    const resolved = (run.spec as unknown as RunSpecDocument).resolved;
    const metric = resolved?.spec.metrics.find((candidate) => candidate.name === metricName);
    if (!resolved || !metric) return undefined;
    const state = loadRunState(run.metricResults);
    const completed: Measurement = { phase: evaluated.phase, startedAt: evaluated.startedAt, finishedAt: now, ...(evaluated.value === undefined ? {} : { value: evaluated.value }), ...(evaluated.message === undefined ? {} : { message: evaluated.message }) };
    state.results = state.results.map((result) => (result.name === metric.name ? recordMeasurement(result, completed, this.retentionOf(resolved, metric.name)) : result));
    const assessment = assessRun(state.results, resolved.spec);
    state.results = assessment.metricResults;
    const metricResult = state.results.find((result) => result.name === metric.name);
    const metricDone = !metricResult || COMPLETED.includes(metricResult.phase);
    const nextAt = metricDone || COMPLETED.includes(assessment.phase) ? undefined : nextMeasurementTime(metric, metricResult, run.startedAt);
    state.nextAt[metric.name] = nextAt?.toISOString() ?? null;
    const runDone = COMPLETED.includes(assessment.phase);
    await transaction.analysisRun.update({
      where: { id: run.id },
      data: {
        phase: assessment.phase,
        message: assessment.message,
        metricResults: storeRunState(state) as Prisma.InputJsonValue,
        nextMeasurementAt: runDone ? null : earliestDue(state),
        ...(runDone ? { finishedAt: now } : {}),
      },
    });
    return { run, nextAt, phaseChanged: assessment.phase !== run.phase };
  }

  /** After the commit: the metric's next measurement, and the rollout's reconcile when the run's phase moved. */
  private async followUp(job: MeasureJob, settled: Settled | undefined, now: Date): Promise<void> {
    if (!settled) return;
    if (settled.nextAt) await this.queue.measureAt(job.runId, job.metricName, job.index + 1, settled.nextAt, now);
    if (settled.phaseChanged) await this.wakeRollout(settled.run);
  }

  /**
   * Re-derives the analysis work that should be queued from Postgres alone: runs not started, measurements due,
   * and measurements whose answer is overdue (recorded as Errors).
   */
  async sweep(now = new Date()): Promise<void> {
    const pending = await this.database.analysisRun.findMany({ where: { phase: 'Pending', finishedAt: null }, select: { id: true }, take: 1000 });
    for (const run of pending) await this.queue.start(run.id);
    const due = await this.database.analysisRun.findMany({ where: { phase: 'Running', nextMeasurementAt: { lte: now } }, select: { id: true, metricResults: true }, take: 1000 });
    for (const run of due) {
      const state = loadRunState(run.metricResults);
      for (const result of state.results) {
        const at = state.nextAt[result.name];
        if (at && new Date(at) <= now) await this.queue.measureAt(run.id, result.name, result.count + result.error, now, now);
      }
    }
    const overdue = await this.database.measurement.findMany({
      where: { phase: 'Running', startedAt: { lt: new Date(now.getTime() - this.options.measurementTimeoutSeconds * 1000) } },
      select: { analysisRunId: true, metricName: true, index: true, takenBy: true },
      take: 1000,
    });
    for (const measurement of overdue) {
      const error = `no answer from ${measurement.takenBy === 'agent' ? "the cluster's agent" : 'the provider'} within ${this.options.measurementTimeoutSeconds} s`;
      await this.queue.record(measurement.analysisRunId, measurement.metricName, measurement.index, { ok: false, error });
    }
  }

  private async templatesOf(run: AnalysisRun, analysis: RolloutAnalysis): Promise<(StoredTemplate | undefined)[]> {
    return Promise.all(
      analysis.templates.map(async (reference): Promise<StoredTemplate | undefined> => {
        const template = reference.clusterScope
          ? await this.database.clusterAnalysisTemplate.findUnique({ where: { organizationId_name: { organizationId: run.organizationId, name: reference.templateName } } })
          : await this.database.analysisTemplate.findUnique({ where: { clusterId_namespace_name: { clusterId: run.clusterId, namespace: run.namespace, name: reference.templateName } } });
        if (!template) return undefined;
        return {
          name: template.name,
          clusterScope: reference.clusterScope === true,
          version: template.version,
          annotations: template.annotations as Record<string, string>,
          spec: template.spec as unknown as AnalysisTemplateSpec,
        };
      }),
    );
  }

  private retentionOf(resolved: ResolvedRun, metricName: string): number {
    return measurementRetentionLimit(metricName, resolved.spec.measurementRetention);
  }

  /** Locks the run's row and reads it in the same statement: Prisma's query API has no `FOR UPDATE`. */
  private async lockRun(transaction: Transaction, runId: string): Promise<AnalysisRun | undefined> {
    const [locked] = await transaction.$queryRaw<AnalysisRun[]>`SELECT * FROM "AnalysisRun" WHERE id = ${runId}::uuid FOR UPDATE`;
    return locked;
  }

  private async finish(run: AnalysisRun, phase: AnalysisPhase, message: string, now: Date): Promise<void> {
    const updated = await this.database.analysisRun.updateMany({ where: { id: run.id, finishedAt: null }, data: { phase, message, finishedAt: now, nextMeasurementAt: null } });
    if (updated.count > 0) {
      this.logger.info({ run: run.name, phase, message }, 'analysis run ended');
      await this.wakeRollout(run);
    }
  }

  /** The rollout reads its runs' phases at its next reconcile. */
  private async wakeRollout(run: Pick<AnalysisRun, 'rolloutId'>): Promise<void> {
    if (!run.rolloutId) return;
    const rollout = await this.database.rollout.findUnique({ where: { id: run.rolloutId }, select: { id: true, version: true } });
    if (rollout) await this.reconcileQueue.request(rollout.id, rollout.version);
  }
}

/** The phase of one measurement from what the provider returned, as Argo evaluates it. */
export function evaluateOutcome(metric: Metric, outcome: MeasurementOutcome): { phase: 'Successful' | 'Failed' | 'Error' | 'Inconclusive'; value?: string; message?: string } {
  if (!outcome.ok) return { phase: 'Error', message: outcome.error };
  if (outcome.phase) return { phase: outcome.phase, value: outcome.rawValue };
  const evaluation = evaluateMeasurementResult(metric, outcome.value);
  return { phase: evaluation.phase, value: outcome.rawValue, ...(evaluation.message ? { message: evaluation.message } : {}) };
}

/** Where an agent's answer belongs: request ids are `<run id>.<metric>.<index>`. */
export function measurementOfRequest(requestId: string): MeasureJob | undefined {
  const match = /^([0-9a-f-]{36})\.(.+)\.(\d+)$/.exec(requestId);
  return match ? { runId: match[1] as string, metricName: match[2] as string, index: Number(match[3]) } : undefined;
}
