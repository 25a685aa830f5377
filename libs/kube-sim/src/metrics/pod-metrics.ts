import { imageTag } from '../controllers/image-behaviour.js';
import { DeterministicRandom } from '../deterministic-random.js';
import type { KubeObject } from '../kube-object.js';

/** The series the simulated Prometheus serves, each the aggregate of the pods its selector picks. */
export const POD_METRIC_SERIES = ['http_request_success_ratio', 'http_request_duration_p95_seconds'] as const;
export type PodMetricSeries = (typeof POD_METRIC_SERIES)[number];

/** Centre and spread of a series' values, for pods that behave and for pods whose image tag contains `bad`. */
const BEHAVIOUR: Record<PodMetricSeries, { healthy: readonly [number, number]; bad: readonly [number, number] }> = {
  http_request_success_ratio: { healthy: [0.985, 0.01], bad: [0.8, 0.05] },
  http_request_duration_p95_seconds: { healthy: [0.12, 0.03], bad: [0.9, 0.1] },
};

/** Whether the image's tag marks it as one that answers badly (`bad`, `yellow-bad`, `bad-1.2`). */
export const answersBadly = (image: string): boolean => imageTag(image).includes('bad');

function imagesOf(pod: KubeObject): string[] {
  const containers = (pod['spec'] as { containers?: { image?: unknown }[] } | undefined)?.containers ?? [];
  return containers.map((container) => container.image).filter((image): image is string => typeof image === 'string');
}

/**
 * The value of a series for the pods selected, at a moment given in whole seconds: centred on what healthy pods
 * answer, or bad ones when any selected pod runs an image whose tag contains `bad`, with noise that depends only on
 * the series, the selection and the second, so that an instant query and a range query agree. Pods created after
 * the moment do not count; with none left there is no sample.
 * @example podMetricValue('http_request_success_ratio', 'staging/guestbook', pods, 1764928800) // 0.9871…
 */
export function podMetricValue(
  series: PodMetricSeries,
  selection: string,
  pods: readonly KubeObject[],
  second: number,
): number | undefined {
  const existing = pods.filter((pod) => Date.parse(pod.metadata.creationTimestamp ?? '') <= second * 1000);
  if (existing.length === 0) return undefined;
  const [centre, spread] = BEHAVIOUR[series][existing.some((pod) => imagesOf(pod).some(answersBadly)) ? 'bad' : 'healthy'];
  const noise = new DeterministicRandom(`${series}|${selection}|${second}`).next() * 2 - 1;
  return Number((centre + noise * spread).toFixed(4));
}
