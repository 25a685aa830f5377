import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's totals of the per-type handle, request and resource gauges. They are gauges named like counters,
 * which `promtool check metrics` refuses, and each equals `sum without (type)` of the gauge it totals.
 */
const REDUNDANT_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * How often the event loop's delay is sampled. prom-client's default, 10 ms, wakes an idle process a hundred times a
 * second for it alone; at 100 ms a stall of the loop still shows in the percentiles and the maximum.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** Registers Node's process metrics under `prefix`, keeping only names that follow Prometheus' conventions. */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  for (const name of REDUNDANT_TOTALS) registry.removeSingleMetric(`${prefix}${name}`);
}
