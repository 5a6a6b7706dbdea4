// Server memory from /proc: resident sizes of a process tree, sampled while a scenario
// runs. OpenSSH forks per connection, so its figure is the sum over the sshd tree;
// thru-sftp's is its node process (and any workers it forks).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const KIB = 1024;
const MIB = 1024 * 1024;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

function children(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const list = read(`/proc/${pid}/task/${tid}/children`);
    if (list) for (const c of list.trim().split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/** The process and its descendants, minus those whose command name is in `exclude`. */
export function processTree(root: number, exclude: readonly string[] = []): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (exclude.length > 0 && exclude.includes(read(`/proc/${pid}/comm`)?.trim() ?? '')) continue;
    out.push(pid);
    stack.push(...children(pid));
  }
  return out;
}

function statusField(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * KIB : undefined;
}

export interface Memory {
  /** Bytes resident now. */
  rss: number;
  /** Peak resident bytes since start or the last resetPeak. */
  hwm: number;
}

export function memoryOf(pid: number): Memory | undefined {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const rss = statusField(status, 'VmRSS');
  const hwm = statusField(status, 'VmHWM');
  return rss === undefined || hwm === undefined ? undefined : { rss, hwm };
}

/** Proportional set size: shared pages divided among their users (fair for a tree of forks). */
export function pssOf(pid: number): number | undefined {
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  return rollup ? statusField(rollup, 'Pss') : undefined;
}

const TICKS_PER_SECOND = 100; // USER_HZ, fixed at 100 on Linux

export interface CpuTime {
  /** Seconds of CPU the process used, its threads included. */
  own: number;
  /** Seconds used by the children it has reaped and waited for. */
  children: number;
  /** Start time in clock ticks since boot: tells a reused pid apart. */
  started: number;
}

export function cpuTime(pid: number): CpuTime | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the command name (which may contain spaces); utime is field 14 of stat(5).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i - 3]);
  return { own: (n(14) + n(15)) / TICKS_PER_SECOND, children: (n(16) + n(17)) / TICKS_PER_SECOND, started: n(22) };
}

/** Reset VmHWM to the current RSS (needs root or the same user). */
export function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // an older kernel or a process that just ended: the peak then counts from its start
  }
}

export interface TreeMemory {
  processes: number;
  /** Sum of VmRSS. */
  rss: number;
  /** Sum of VmHWM. */
  hwm: number;
}

export function treeMemory(pids: readonly number[]): TreeMemory {
  let rss = 0;
  let hwm = 0;
  let processes = 0;
  for (const pid of pids) {
    const m = memoryOf(pid);
    if (!m) continue;
    processes += 1;
    rss += m.rss;
    hwm += m.hwm;
  }
  return { processes, rss, hwm };
}

export interface Usage {
  /** MiB. */
  peakRss: number;
  /** CPU seconds used by the tree during the sampling, its short-lived processes included. */
  cpu: number;
}

/**
 * Samples a process tree until stopped. The peak is the largest sum of the live
 * processes' VmHWM seen, which catches a single process's peak between samples exactly
 * and bounds a tree's concurrent peak from above. CPU is summed per process: sshd's
 * per-connection processes are orphaned when they end (their CPU never reaches the
 * listener's cutime), so each is read while it lives and once more at the end.
 */
export class UsageSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  /** pid -> [start time, CPU at first sight (0 for processes born during sampling), latest CPU]. */
  private readonly cpu = new Map<number, [number, number, number]>();
  private first = true;

  constructor(
    private readonly root: number,
    private readonly exclude: readonly string[] = [],
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    for (const pid of processTree(this.root, this.exclude)) resetPeak(pid);
    this.sample();
    this.first = false;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private track(pid: number): void {
    const t = cpuTime(pid);
    if (!t) return;
    const known = this.cpu.get(pid);
    if (!known) this.cpu.set(pid, [t.started, this.first ? t.own : 0, t.own]);
    else if (known[0] === t.started) known[2] = t.own;
  }

  private sample(): void {
    const pids = processTree(this.root, this.exclude);
    const { hwm } = treeMemory(pids);
    if (hwm > this.peak) this.peak = hwm;
    for (const pid of pids) this.track(pid);
  }

  stop(): Usage {
    clearInterval(this.timer);
    this.sample();
    for (const pid of this.cpu.keys()) this.track(pid); // ended processes still readable as zombies
    let cpu = 0;
    for (const [, base, last] of this.cpu.values()) cpu += last - base;
    return { peakRss: this.peak / MIB, cpu };
  }
}
