import type { Measurement } from '../api/documents.js';

/**
 * A pooled run's measurements as the chart draws them: one series per metric and cluster (`error-rate · eu`), each
 * point the cluster's own value marked with the phase of the pooled measurement of that moment (the verdict the
 * release heeds; `Running` while the other clusters have still to answer) and placed at the moment's start, so that
 * every cluster's value of one moment shares a time and shows together on hover. A single-cluster run's measurements
 * are returned as they are.
 * @example pooledSeries({ cluster: null, measurements: [pooled Failed #0, eu's part #0 value '[0.02]'] })
 * // [{ metricName: 'error-rate · eu', index: 0, phase: 'Failed', value: '[0.02]', … }]
 */
export function pooledSeries(run: { cluster: string | null; measurements: Measurement[] }): Measurement[] {
  if (run.cluster !== null) return run.measurements;
  const moments = new Map<string, Measurement>();
  for (const measurement of run.measurements)
    if (measurement.cluster === null || measurement.cluster === undefined)
      moments.set(`${measurement.metricName}#${measurement.index}`, measurement);
  return run.measurements.flatMap((measurement) => {
    if (measurement.cluster === null || measurement.cluster === undefined) return [];
    const moment = moments.get(`${measurement.metricName}#${measurement.index}`);
    return [
      {
        ...measurement,
        metricName: `${measurement.metricName} · ${measurement.cluster}`,
        phase: moment?.phase ?? (measurement.phase === 'Error' ? 'Error' : 'Running'),
        ...(moment === undefined ? {} : { startedAt: moment.startedAt, finishedAt: null }),
      },
    ];
  });
}

/** The wave a fleet release's run is for, from its spec; undefined for anything else. */
export function waveOfRun(run: { spec: unknown }): string | undefined {
  const spec = run.spec;
  const fleetWave = typeof spec === 'object' && spec !== null ? (spec as { fleetWave?: unknown }).fleetWave : undefined;
  const wave = typeof fleetWave === 'object' && fleetWave !== null ? (fleetWave as { wave?: unknown }).wave : undefined;
  return typeof wave === 'string' ? wave : undefined;
}
