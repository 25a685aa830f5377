import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User plus system CPU seconds a process has used so far, from `/proc/<pid>/stat` (fields 14 and 15, counted
 * after the parenthesised command name, which may itself hold spaces).
 */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is at index 0, so utime (14) and stime (15) are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by every live process whose command name is `command` (every Postgres backend, say).
 * A process that exits between two readings takes its seconds with it, so compare readings over processes that
 * live throughout, such as the backends of a pool.
 */
export function cpuSecondsOfCommand(command: string): number {
  let seconds = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === command) seconds += cpuSecondsOf(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return seconds;
}

/** CPU seconds the whole machine has been busy so far, all cores together (`/proc/stat`, everything but idle and iowait). */
export function machineBusyCpuSeconds(): number {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds per wall second of a process since the previous call (or since it was created). */
export class CpuMeter {
  private cpu: number;
  private wall: number;

  constructor(private readonly pid: number) {
    this.cpu = cpuSecondsOf(pid);
    this.wall = performance.now();
  }

  /** Share of one core used since the last reading. */
  read(): number {
    const cpu = cpuSecondsOf(this.pid);
    const wall = performance.now();
    const share = (cpu - this.cpu) / ((wall - this.wall) / 1000);
    this.cpu = cpu;
    this.wall = wall;
    return share;
  }
}

/** Resident memory of a process in megabytes (`VmRSS` of `/proc/<pid>/status`). */
export async function residentMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}
