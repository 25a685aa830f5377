import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startKubeSim } from './kube-sim.js';
import { startSimulatedPrometheus } from './metrics/prometheus-endpoint.js';

const USAGE = `usage: node libs/kube-sim/dist/main.js [--host 127.0.0.1] [--port 6443] [--clusters staging,production]
  [--kubeconfig-dir .flotilla/kube] [--pod-ready-delay-ms 1000] [--plain-http] [--metrics-port 3002] [--log-level info]
Serves https with a certificate made at start, which the kubeconfigs trust (also written to ca.crt beside them);
--plain-http serves http instead, to which kubectl sends no credentials. --metrics-port also serves Prometheus'
query API over the simulated pods on that port of the same host.`;

function nonNegativeInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got "${text}"\n${USAGE}`);
  return Number(text);
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    clusters: { type: 'string', default: 'default' },
    'kubeconfig-dir': { type: 'string' },
    'pod-ready-delay-ms': { type: 'string' },
    'plain-http': { type: 'boolean', default: false },
    'metrics-port': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});

const logger = pino({ level: values['log-level'] });
const clusters = values.clusters
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const sim = await startKubeSim({
  host: values.host,
  port: nonNegativeInteger('port', values.port, 6443),
  clusters,
  podReadyDelayMs: nonNegativeInteger('pod-ready-delay-ms', values['pod-ready-delay-ms'], 1000),
  tls: !values['plain-http'],
  logger,
});

const prometheus =
  values['metrics-port'] === undefined
    ? undefined
    : await startSimulatedPrometheus(sim, { host: values.host, port: nonNegativeInteger('metrics-port', values['metrics-port'], 0) });
if (prometheus !== undefined) logger.info({ url: prometheus.url }, 'serving pod metrics');

const kubeconfigDir = values['kubeconfig-dir'];
if (kubeconfigDir !== undefined) {
  await mkdir(kubeconfigDir, { recursive: true });
  // Written before the kubeconfigs, whose appearance tells scripts that the simulator is ready.
  if (sim.certificate !== undefined) await writeFile(join(kubeconfigDir, 'ca.crt'), sim.certificate);
}
for (const cluster of clusters) {
  const kubeconfig = kubeconfigDir === undefined ? undefined : join(kubeconfigDir, `${cluster}.yaml`);
  if (kubeconfig !== undefined) await sim.writeKubeconfig(cluster, kubeconfig);
  logger.info({ cluster, url: sim.clusterUrl(cluster), ...(kubeconfig === undefined ? {} : { kubeconfig }) }, 'serving cluster');
}

const shutdown = (signal: string): void => {
  logger.info({ signal }, 'stopping');
  Promise.all([sim.stop(), prometheus?.stop()]).then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
