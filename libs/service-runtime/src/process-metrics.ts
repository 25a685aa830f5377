import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's totals of the per-type handle, request and resource gauges. They are gauges named like counters,
 * which `promtool check metrics` refuses, and each equals `sum without (type)` of the gauge it totals.
 */
const REDUNDANT_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Registers Node's process metrics under `prefix`, keeping only names that follow Prometheus' conventions. */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of REDUNDANT_TOTALS) registry.removeSingleMetric(`${prefix}${name}`);
}
