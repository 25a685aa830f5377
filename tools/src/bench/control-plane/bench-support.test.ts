import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlPlaneNodeArguments, startProcess, stopProcess } from './bench-support.js';

const FIXTURE = 'tools/src/bench/control-plane/fixtures/logs-started-late.mjs';
const scratch = mkdtempSync(join(tmpdir(), 'bench-support-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('controlPlaneNodeArguments', () => {
  it('profiles into BENCH_CPU_PROFILE_DIR and adds BENCH_NODE_ARGUMENTS split on spaces', () => {
    expect(
      controlPlaneNodeArguments({
        BENCH_CPU_PROFILE_DIR: '/tmp/p',
        BENCH_NODE_ARGUMENTS: ' --single-threaded-gc  --max-semi-space-size=32',
      }),
    ).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--single-threaded-gc', '--max-semi-space-size=32']);
    expect(controlPlaneNodeArguments({})).toEqual([]);
  });
});

describe('startProcess', () => {
  it('waits for the start-up message when given one, however ready the process says it is', async () => {
    const marker = join(scratch, 'with-message');
    const environment = { STARTED_AFTER_MS: '500', STARTED_MARKER: marker };
    const child = await startProcess(FIXTURE, environment, () => Promise.resolve(true), [], 'worker started');
    try {
      expect(existsSync(marker)).toBe(true);
    } finally {
      await stopProcess(child);
    }
  });

  it('is ready as soon as `ready` says so without one', async () => {
    const marker = join(scratch, 'without-message');
    const child = await startProcess(FIXTURE, { STARTED_AFTER_MS: '5000', STARTED_MARKER: marker }, () => Promise.resolve(true));
    try {
      expect(existsSync(marker)).toBe(false);
    } finally {
      await stopProcess(child);
    }
  });
});
