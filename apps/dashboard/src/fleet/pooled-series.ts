import type { Measurement } from '../api/documents.js';

/**
 * A pooled run's measurements as the chart draws them: one series per metric and cluster (`error-rate · eu`), each
 * point the cluster's own value marked with the phase of the pooled measurement of that moment (the verdict the
 * release heeds; `Running` while the other clusters have still to answer). A single-cluster run's measurements are
 * returned as they are.
 * @example pooledSeries({ cluster: null, measurements: [pooled Failed #0, eu's part #0 value '[0.02]'] })
 * // [{ metricName: 'error-rate · eu', index: 0, phase: 'Failed', value: '[0.02]', … }]
 */
export function pooledSeries(run: { cluster: string | null; measurements: Measurement[] }): Measurement[] {
  if (run.cluster !== null) return run.measurements;
  const verdicts = new Map<string, string>();
  for (const measurement of run.measurements)
    if (measurement.cluster === null || measurement.cluster === undefined)
      verdicts.set(`${measurement.metricName}#${measurement.index}`, measurement.phase);
  return run.measurements.flatMap((measurement) =>
    measurement.cluster === null || measurement.cluster === undefined
      ? []
      : [
          {
            ...measurement,
            metricName: `${measurement.metricName} · ${measurement.cluster}`,
            phase: verdicts.get(`${measurement.metricName}#${measurement.index}`) ?? (measurement.phase === 'Error' ? 'Error' : 'Running'),
          },
        ],
  );
}

/** The wave a fleet release's run is for, from its spec; undefined for anything else. */
export function waveOfRun(run: { spec: unknown }): string | undefined {
  const spec = run.spec;
  const fleetWave = typeof spec === 'object' && spec !== null ? (spec as { fleetWave?: unknown }).fleetWave : undefined;
  const wave = typeof fleetWave === 'object' && fleetWave !== null ? (fleetWave as { wave?: unknown }).wave : undefined;
  return typeof wave === 'string' ? wave : undefined;
}
