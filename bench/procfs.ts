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

/**
 * Samples a process tree's memory until stopped; the peak is the largest sum of the
 * live processes' VmHWM seen, which catches a single process's peak between samples
 * exactly and bounds a tree's concurrent peak from above.
 */
export class PeakSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly exclude: readonly string[] = [],
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    for (const pid of processTree(this.root, this.exclude)) resetPeak(pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    const { hwm } = treeMemory(processTree(this.root, this.exclude));
    if (hwm > this.peak) this.peak = hwm;
  }

  /** Peak in MiB. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak / MIB;
  }
}
