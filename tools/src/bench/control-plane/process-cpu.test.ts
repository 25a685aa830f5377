import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activityOf, cpuSecondsOf, cpuSecondsOfProcessTree } from './process-cpu.js';

const scratchFile = join(tmpdir(), `process-cpu-${process.pid}.txt`);
afterAll(() => rmSync(scratchFile, { force: true }));

/**
 * Runs a child process that spends `ms` of CPU (not of the clock: on a busy machine it gets less than a core), and
 * waits until it has ended and been waited for.
 */
async function busyChild(ms: number): Promise<void> {
  const burn = `const spent = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; }; while (spent() < ${ms});`;
  const child = spawn(process.execPath, ['-e', burn], { stdio: 'ignore' });
  await once(child, 'exit');
}

describe('cpuSecondsOfProcessTree', () => {
  it('keeps the CPU of a child that has ended, which a reading of live processes loses', async () => {
    // Given this process's tree read before a child that spends 400 ms of CPU and exits
    const treeBefore = cpuSecondsOfProcessTree(process.pid);
    const ownBefore = cpuSecondsOf(process.pid);

    await busyChild(400);

    // Then the tree holds the child's CPU although it is gone, and this process's own reading does not
    const treeGrowth = cpuSecondsOfProcessTree(process.pid) - treeBefore;
    const ownGrowth = cpuSecondsOf(process.pid) - ownBefore;
    expect(treeGrowth - ownGrowth).toBeGreaterThan(0.3);
  });
});

describe('activityOf', () => {
  it('counts the system calls of a process and the times its main thread waited', async () => {
    const before = activityOf(process.pid);
    for (let write = 0; write < 20; write++) writeFileSync(scratchFile, String(write));
    for (let wait = 0; wait < 5; wait++) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = activityOf(process.pid);
    expect(after.syscalls - before.syscalls).toBeGreaterThanOrEqual(20);
    expect(after.wakeUps - before.wakeUps).toBeGreaterThanOrEqual(5);
    expect(after.preemptions).toBeGreaterThanOrEqual(before.preemptions);
  });
});
