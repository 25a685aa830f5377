import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
