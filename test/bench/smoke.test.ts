// The whole benchmark with tiny sizes: both servers start, every kind of scenario
// runs against both (the S3 one against the sim and a direct SDK upload, the delivery
// one against thru-sftp alone), a report is written and the system user is removed. Needs root
// and Debian's openssh-server, like `npm run bench`; no timing is asserted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanups, runBench } from '../../bench/bench.js';
import { parseOptions } from '../../bench/options.js';

const MIB = 1024 * 1024;
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const user = 'thrubenchci';

describe.skipIf(!canRun)('npm run bench, tiny', () => {
  const out = mkdtempSync(join(tmpdir(), 'thru-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures both servers in every kind of scenario and cleans up', async () => {
    const options = {
      ...parseOptions(['--quick', '--rounds', '1', '--user', user, '--only', 'put,get,small,parallel,login-password,idle,delivery,s3', '--out', out]),
      bigSize: MIB,
      smallFiles: 5,
      parallelClients: 2,
      parallelSize: MIB,
      // Above thru-sftp's default per-address (50) and per-user (20) caps, which the idle scenario lifts.
      idleSessions: 55,
      deliveryFiles: 3,
    };
    const lines: string[] = [];
    const cleanups = new Cleanups((l) => lines.push(l));
    let run;
    try {
      run = await runBench(options, (l) => lines.push(l), cleanups);
    } finally {
      await cleanups.run();
    }
    expect(lines.join('\n')).not.toMatch(/failed/);
    const scenarios = new Set(run.results.map((r) => r.figure.scenario));
    expect([...scenarios]).toEqual([
      'put 1 MiB', 'get 1 MiB', 'put -r 5 × 4 KiB', '2 clients × put 1 MiB', 'login + pwd, password', '55 idle sessions', 'rename → webhook, 3 × 4 KiB', 'put 1 MiB to S3 (sim, s3rver)',
    ]);
    const vs = (scenario: string) => (scenario.startsWith('rename') ? undefined : scenario.endsWith('(sim, s3rver)') ? 'direct SDK upload' : 'OpenSSH');
    for (const r of run.results) {
      const what = `${r.figure.scenario}: ${r.figure.name}`;
      expect(r.thru?.n, what).toBe(1);
      expect(r.figure.vs, what).toBe(vs(r.figure.scenario));
      expect(r.baseline?.n, what).toBe(r.figure.vs ? 1 : undefined);
    }
    const report = readFileSync(run.file, 'utf8');
    expect(report).toContain('| put 1 MiB | throughput, MiB/s');
    expect(report).toContain('### thru-sftp vs direct SDK upload');
    expect(report).toContain('| rename → webhook, 3 × 4 KiB | rename → delivered p50, ms');
    // The system user and the scratch folder are gone.
    expect(() => execFileSync('id', ['-u', user], { stdio: 'ignore' })).toThrow();
    expect(existsSync(run.scratch)).toBe(false);
  }, 120_000);
});
