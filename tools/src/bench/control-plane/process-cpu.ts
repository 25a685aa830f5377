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

interface ProcessTicks {
  parentPid: number;
  /** User plus system clock ticks of the process itself. */
  own: number;
  /** The same of its children that have ended and been waited for, and of theirs. */
  endedChildren: number;
}

/**
 * From `/proc/<pid>/stat`: the parent (field 4), utime and stime (14, 15), cutime and cstime (16, 17), counted after
 * the parenthesised command name, which may itself hold spaces.
 */
function ticksOf(pid: number): ProcessTicks {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is at index 0, so field n is at index n - 3.
  const field = (n: number): number => Number(fields[n - 3]);
  return { parentPid: field(4), own: field(14) + field(15), endedChildren: field(16) + field(17) };
}

/** User plus system CPU seconds a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  return ticksOf(pid).own / CLOCK_TICKS_PER_SECOND;
}

/** The parent of a process, from `/proc/<pid>/stat`. */
export function parentPidOf(pid: number): number {
  return ticksOf(pid).parentPid;
}

/** Every live process, by pid, that could be read. */
function liveProcesses(): Map<number, ProcessTicks> {
  const processes = new Map<number, ProcessTicks>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      processes.set(Number(entry), ticksOf(Number(entry)));
    } catch {
      // The process ended while the list was read.
    }
  }
  return processes;
}

/**
 * CPU seconds used so far by a process and all its descendants, live or ended: each live one's own time plus the
 * time of its children that have ended and been waited for. Unlike a sum over live processes, this never goes
 * down when a child exits (a Postgres backend whose pool closed it, say), so two readings can be subtracted.
 */
export function cpuSecondsOfProcessTree(rootPid: number): number {
  const processes = liveProcesses();
  const childrenOf = new Map<number, number[]>();
  for (const [pid, { parentPid }] of processes) childrenOf.set(parentPid, [...(childrenOf.get(parentPid) ?? []), pid]);
  let ticks = 0;
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const member = processes.get(pid);
    if (member) ticks += member.own + member.endedChildren;
    pending.push(...(childrenOf.get(pid) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by every live process whose command name is `command` (the Redis server, say). A process
 * that exits between two readings takes its seconds with it: for a server that forks, read its process tree.
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

/** What a process asked of the kernel so far, for counting its wake-ups beside its CPU. */
export interface ProcessActivity {
  /** Read and write system calls of all its threads (`syscr` and `syscw` of `/proc/<pid>/io`). */
  syscalls: number;
  /** Times its main thread, the event loop, waited and was woken (voluntary context switches). */
  wakeUps: number;
  /** Times its main thread was taken off a core to run something else (involuntary context switches). */
  preemptions: number;
}

export function activityOf(pid: number): ProcessActivity {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    syscalls: field(io, 'syscr') + field(io, 'syscw'),
    wakeUps: field(status, 'voluntary_ctxt_switches'),
    preemptions: field(status, 'nonvoluntary_ctxt_switches'),
  };
}

/** Resident memory of a process in megabytes (`VmRSS` of `/proc/<pid>/status`). */
export async function residentMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}
