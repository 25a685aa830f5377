import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCondition, ConditionSyntaxError, evaluateMeasurementResult } from '@flotilla/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../http/http-transport.js';
import { testContext } from '../fake-backend.test-support.js';
import type { ProviderOutcome } from '../outcome.js';
import { prometheusAdapter } from './prometheus.js';

const INSTALL_HINT = 'the prometheus binary is missing: install it with `apt-get install -y --no-install-recommends prometheus`';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A service exposing request counters in Prometheus' text format: 19 successes and 1 error per second. */
function startCountingService(): Promise<Server> {
  const startedAt = Date.now();
  const server = createServer((_request, response) => {
    const seconds = (Date.now() - startedAt) / 1000;
    response
      .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
      .end(
        [
          '# HELP http_requests_total Requests served.',
          '# TYPE http_requests_total counter',
          `http_requests_total{code="200"} ${Math.floor(seconds * 19)}`,
          `http_requests_total{code="500"} ${Math.floor(seconds * 1)}`,
          '',
        ].join('\n'),
      );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('prometheus adapter against a real Prometheus', () => {
  let service: Server;
  let prometheus: ChildProcess | undefined;
  let storage: string;
  let address: string;
  let output = '';

  beforeAll(async () => {
    if (spawnSync('sh', ['-c', 'command -v prometheus']).status !== 0) throw new Error(INSTALL_HINT);
    service = await startCountingService();
    storage = await mkdtemp(join(tmpdir(), 'flotilla-prometheus-'));
    const servicePort = (service.address() as AddressInfo).port;
    const config = join(storage, 'prometheus.yml');
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['127.0.0.1:${servicePort}']\n`,
    );
    const port = await freePort();
    address = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${config}`, `--storage.tsdb.path=${join(storage, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    const http = createHttpTransport();
    await eventually(
      async () => {
        const ready = await http.send({ method: 'GET', url: `${address}/-/ready`, timeoutMs: 1000 }).catch(() => undefined);
        return ready?.status === 200 ? true : undefined;
      },
      10_000,
      `Prometheus becoming ready (${output})`,
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => service?.close(resolve));
    if (storage) await rm(storage, { recursive: true, force: true });
  });

  it('measures a success rate and the condition decides on it', async () => {
    const query = 'sum(rate(http_requests_total{code="200"}[5s])) / sum(rate(http_requests_total[5s]))';
    const outcome = await eventually<Extract<ProviderOutcome, { ok: true }>>(
      async () => {
        const measured = await prometheusAdapter.measure({ address, query }, testContext({ now: () => new Date() }));
        if (!measured.ok) throw new Error(measured.error);
        return Array.isArray(measured.value) && measured.value.length === 1 ? measured : undefined;
      },
      15_000,
      'a success rate',
    );
    const [rate] = outcome.value as number[];
    expect(rate).toBeGreaterThan(0.9);
    expect(rate).toBeLessThanOrEqual(1);
    expect(outcome.rawValue).toMatch(/^\[0\.9\d*\]$/);
    expect(compileCondition('result[0] >= 0.9')).not.toBeInstanceOf(ConditionSyntaxError);
    expect(evaluateMeasurementResult({ successCondition: 'result[0] >= 0.9' }, outcome.value)).toEqual({ phase: 'Successful' });
    expect(evaluateMeasurementResult({ successCondition: 'result[0] >= 0.99' }, outcome.value)).toEqual({ phase: 'Failed' });
  });
});
