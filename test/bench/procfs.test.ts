// Reading processes from /proc (Linux only, like the benchmark).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuTime, memoryOf, processTree, treeMemory, UsageSampler } from '../../bench/procfs.js';

describe.skipIf(process.platform !== 'linux')('procfs', () => {
  it('finds a child in the process tree and can leave it out by name', async () => {
    const child = spawn('sleep', ['30']);
    await once(child, 'spawn');
    try {
      expect(processTree(process.pid)).toEqual(expect.arrayContaining([process.pid, child.pid]));
      expect(processTree(process.pid, ['sleep'])).not.toContain(child.pid);
    } finally {
      child.kill();
    }
  });

  it('reads memory and CPU of a process, and nothing of one that is gone', () => {
    const m = memoryOf(process.pid)!;
    expect(m.rss).toBeGreaterThan(1024 * 1024);
    expect(m.hwm).toBeGreaterThanOrEqual(m.rss);
    expect(treeMemory([process.pid, 2 ** 22 + 1])).toMatchObject({ processes: 1, rss: expect.any(Number) as number });
    const t = cpuTime(process.pid)!;
    expect(t.own).toBeGreaterThanOrEqual(0);
    expect(t.started).toBeGreaterThan(0);
    expect(cpuTime(2 ** 22 + 1)).toBeUndefined();
  });

  it('samples a peak and CPU seconds', async () => {
    const sampler = new UsageSampler(process.pid, [], 5).start();
    const end = Date.now() + 50;
    while (Date.now() < end) Math.sqrt(Math.random()); // some CPU for the sampler to see
    const usage = sampler.stop();
    expect(usage.peakRss).toBeGreaterThan(1);
    expect(usage.cpu).toBeGreaterThanOrEqual(0);
  });
});
