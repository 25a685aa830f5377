import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../kube-object.js';
import type { ListQuery } from '../kube-sim.js';
import { podMetricValue, POD_METRIC_SERIES, type PodMetricSeries } from './pod-metrics.js';

/** Where the pods come from: a running simulator. */
export interface PodSource {
  readonly clusterNames: readonly string[];
  list(cluster: string, query: ListQuery): KubeObject[];
}

/** A query the endpoint cannot answer, reported as Prometheus reports one (`bad_data`, HTTP 400). */
class BadQueryError extends Error {}

/** `series{label="value", …}`: the one form of PromQL the endpoint reads. */
interface Selector {
  series: PodMetricSeries;
  matchers: Record<string, string>;
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;
/** Prometheus refuses range queries of more points than this. */
const MAX_POINTS = 11_000;

/**
 * Reads a selector with equality matchers only.
 * @example parseSelector('http_request_success_ratio{namespace="guestbook"}')
 * // { series: 'http_request_success_ratio', matchers: { namespace: 'guestbook' } }
 */
export function parseSelector(query: string): Selector {
  const match = SELECTOR.exec(query);
  const series = POD_METRIC_SERIES.find((name) => name === match?.[1]);
  if (!match || !series)
    throw new BadQueryError(
      `the simulator answers only selectors of ${POD_METRIC_SERIES.join(', ')} with = matchers, not ${JSON.stringify(query)}`,
    );
  const body = match[2] ?? '';
  const matchers: Record<string, string> = {};
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < body.length && body.slice(MATCHER.lastIndex).trim() !== '') {
    const start = MATCHER.lastIndex;
    const matcher = MATCHER.exec(body);
    if (!matcher) throw new BadQueryError(`cannot read the matchers of ${JSON.stringify(query)} from position ${start}`);
    matchers[matcher[1] as string] = (matcher[2] as string).replace(/\\(.)/g, '$1');
  }
  return { series, matchers };
}

/**
 * The pods a selector picks: `cluster` and `namespace` name where they run, every other label a pod label whose
 * name Prometheus' Kubernetes discovery would write with `_` (`rollouts_pod_template_hash` is
 * `rollouts-pod-template-hash`), as relabelling rules usually keep them.
 */
function selectedPods(source: PodSource, matchers: Readonly<Record<string, string>>): KubeObject[] {
  const { cluster, namespace, ...labels } = matchers;
  const clusters = source.clusterNames.filter((name) => cluster === undefined || name === cluster);
  const wanted = Object.entries(labels).map(([name, value]) => [name.replaceAll('_', '-'), value] as const);
  return clusters
    .flatMap((name) => source.list(name, { kind: 'Pod', ...(namespace === undefined ? {} : { namespace }) }))
    .filter((pod) => wanted.every(([label, value]) => pod.metadata.labels?.[label] === value));
}

function timeParameter(parameters: URLSearchParams, name: string, fallback?: number): number {
  const text = parameters.get(name);
  if (text === null || text === '') {
    if (fallback === undefined) throw new BadQueryError(`missing parameter "${name}"`);
    return fallback;
  }
  const seconds = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) throw new BadQueryError(`cannot parse "${text}" to a valid timestamp`);
  return seconds;
}

function stepParameter(parameters: URLSearchParams): number {
  const text = parameters.get('step') ?? '';
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[(duration?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const step = duration ? Number(duration[1]) * unit : NaN;
  if (!(step > 0))
    throw new BadQueryError(`cannot parse "${text}" to a valid duration: zero or negative query resolution step widths are not accepted`);
  return step;
}

const sampleText = (value: number): string => String(value);

function answer(source: PodSource, path: string, parameters: URLSearchParams, now: number): unknown {
  const { series, matchers } = parseSelector(parameters.get('query') ?? '');
  const pods = selectedPods(source, matchers);
  const selection = JSON.stringify(Object.entries(matchers).sort());
  const metric = { __name__: series, ...matchers };
  const valueAt = (seconds: number): number | undefined => podMetricValue(series, selection, pods, Math.floor(seconds));
  if (path === '/api/v1/query') {
    const time = timeParameter(parameters, 'time', now);
    const value = valueAt(time);
    return { resultType: 'vector', result: value === undefined ? [] : [{ metric, value: [time, sampleText(value)] }] };
  }
  const start = timeParameter(parameters, 'start');
  const end = timeParameter(parameters, 'end');
  const step = stepParameter(parameters);
  if (end < start) throw new BadQueryError('end timestamp must not be before start time');
  if ((end - start) / step > MAX_POINTS)
    throw new BadQueryError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  const values: [number, string][] = [];
  for (let time = start; time <= end; time += step) {
    const value = valueAt(time);
    if (value !== undefined) values.push([time, sampleText(value)]);
  }
  return { resultType: 'matrix', result: values.length === 0 ? [] : [{ metric, values }] };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function serve(source: PodSource, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://prometheus');
  if (url.pathname === '/-/ready' || url.pathname === '/-/healthy') {
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('Prometheus Server is Ready.\n');
    return;
  }
  if (url.pathname !== '/api/v1/query' && url.pathname !== '/api/v1/query_range') {
    send(response, 404, { status: 'error', errorType: 'not_found', error: `no endpoint ${url.pathname}` });
    return;
  }
  if (request.method !== 'GET') {
    send(response, 405, { status: 'error', errorType: 'bad_data', error: `method ${request.method ?? ''} not allowed` });
    return;
  }
  try {
    send(response, 200, { status: 'success', data: answer(source, url.pathname, url.searchParams, Date.now() / 1000) });
  } catch (error) {
    if (error instanceof BadQueryError) send(response, 400, { status: 'error', errorType: 'bad_data', error: error.message });
    else send(response, 500, { status: 'error', errorType: 'internal', error: error instanceof Error ? error.message : String(error) });
  }
}

export interface SimulatedPrometheus {
  /** `http://host:port`, the `address` of a Prometheus metric provider. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves Prometheus' query API (`/api/v1/query`, `/api/v1/query_range`) over the simulator's pods, for analyses to
 * measure: the series of {@link POD_METRIC_SERIES}, selected by `cluster`, `namespace` and pod labels.
 * @example const prometheus = await startSimulatedPrometheus(sim, { port: 0 });
 *   // GET `${prometheus.url}/api/v1/query?query=http_request_success_ratio{namespace="guestbook"}`
 */
export async function startSimulatedPrometheus(source: PodSource, options: { host?: string; port: number }): Promise<SimulatedPrometheus> {
  const server = createServer((request, response) => serve(source, request, response));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
