// `npm run sim` with THRU_WORKERS=2: the SSH front end in worker processes, as Fargate
// tasks run it apart from S3, DynamoDB and the Lambdas. An upload taken by a worker
// lands in s3rver, whose event reaches the post-upload handler in the main process,
// which delivers it once.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, uploadThroughDemo, type SpawnedServer } from '../support/spawned-server.js';

let s: SpawnedServer;

beforeAll(async () => {
  s = await spawnServer('bin/sim.ts', { THRU_WORKERS: '2' });
}, 90_000);
afterAll(() => s?.cleanup());

describe('the sim with its front end in two worker processes (THRU_WORKERS=2)', () => {
  it('takes uploads in the workers and delivers them from the main process, once each', async () => {
    const names = ['s1.csv', 's2.csv'];
    await uploadThroughDemo(s, names, 40_000);
    const served = new Set(s.lines.filter((l) => l['activity-type'] === 'AUTH_SUCCESS').map((l) => l.pid));
    expect(served.size).toBe(2);
    expect(served.has(s.child.pid)).toBe(false);
    const completed = s.lines.filter((l) => l.msg === 'upload complete');
    expect(completed.map((l) => String(l.path)).sort()).toEqual(names.map((n) => `/${n}`));
    expect(completed.every((l) => l.pid === s.child.pid)).toBe(true);
    // The workers are tuned as the Fargate front end is: a small young generation.
    for (const pid of served) expect(readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=1');
    expect(readFileSync(`/proc/${s.child.pid}/cmdline`, 'utf8')).not.toContain('--max-semi-space-size');
  });

  it('stops the main process and its workers on SIGTERM, with exit code 0', async () => {
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
