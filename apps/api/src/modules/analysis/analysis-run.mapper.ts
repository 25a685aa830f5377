import type { AnalysisRunRecord } from '@flotilla/stores';
import type { AnalysisRunModel } from './analysis.models.js';

export function toAnalysisRunModel(run: AnalysisRunRecord): AnalysisRunModel {
  return {
    id: run.id,
    cluster: run.cluster,
    clusters: run.clusters,
    namespace: run.namespace,
    name: run.name,
    kind: run.kind,
    rollout: run.rollout,
    experiment: run.experiment,
    revision: run.revision,
    phase: run.phase,
    message: run.message,
    spec: run.spec,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    measurements: run.measurements.map(({ metricName, index, cluster, phase, value, message, startedAt, finishedAt }) => ({
      metricName,
      index,
      cluster,
      phase,
      value,
      message,
      startedAt,
      finishedAt,
    })),
  };
}
