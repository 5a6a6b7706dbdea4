// One benchmark run: the servers per scenario, the runs interleaved, the report. The
// command line lives in run.ts; tests call runBench with tiny sizes.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomFile, randomTree } from './data.js';
import { loadAverage, machineFacts, ssh2Binding } from './environment.js';
import type { BenchOptions } from './options.js';
import { cpuTime, processTree, UsageSampler } from './procfs.js';
import { evaluate, renderReport, type Figure, type FigureResult } from './report.js';
import { sizeLabel, type Context, type Inputs, type Scenario, type StartEnv, type Values } from './scenario.js';
import { SCENARIOS } from './scenarios.js';
import type { Side } from './server.js';
import { checkChrootPath, prepareBenchUser, removeBenchUser, startSshd } from './sshd.js';
import { startThru } from './thru.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export type Say = (line: string) => void;

/** What a run must undo (servers, the system user, the scratch folder), newest first. */
export class Cleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];
  constructor(private readonly say: Say) {}
  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    while (this.steps.length > 0) {
      try {
        await this.steps.pop()!();
      } catch (err) {
        this.say(`cleanup: ${(err as Error).message}`);
      }
    }
  }
}

export interface BenchRun {
  results: FigureResult[];
  report: string;
  file: string;
  /** Removed at the end unless --keep. */
  scratch: string;
}

function prepareInputs(o: BenchOptions, dir: string, needed: Set<string>): Inputs {
  const inputs: Inputs = { big: join(dir, 'big.bin'), parallel: join(dir, 'parallel.bin'), small: join(dir, 'small') };
  if (needed.has('put') || needed.has('get') || needed.has('s3')) randomFile(inputs.big, o.bigSize);
  if (needed.has('parallel')) randomFile(inputs.parallel, o.parallelSize);
  if (needed.has('small') || needed.has('small-fsync')) randomTree(inputs.small, o.smallFiles, o.smallSize);
  return inputs;
}

const describe = (values: Values) =>
  Object.entries(values)
    .map(([k, v]) => `${k} ${v.toFixed(v >= 100 ? 0 : 1)}`)
    .join(', ');

const usageFigures = (usage: NonNullable<Scenario['usage']>): Record<string, Omit<Figure, 'scenario'>> => ({
  rss: { name: 'server peak RSS', unit: 'MiB', better: 'lower', target: usage.rssTarget },
  ...(usage.cpu
    ? {
        serverCpu: { name: 'server CPU time', unit: 's', better: 'lower' },
        clientCpu: { name: 'client CPU time (sftp + ssh)', unit: 's', better: 'lower' },
      }
    : {}),
});

/** Wait until the server's process tree is back to `processes` (sshd's children exit after the client). */
async function settle(server: Side, processes: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processTree(server.pid, server.notServer).length > processes && Date.now() < deadline) await sleep(20);
}

const childrenCpu = () => cpuTime(process.pid)?.children ?? NaN;

/** One run, with the server's peak RSS and the CPU both sides used when the scenario asks for them. */
async function measure(s: Scenario<Side>, server: Side, ctx: Context, round: number): Promise<Values> {
  if (!s.usage) {
    try {
      return await s.run(server, ctx, round);
    } finally {
      await s.cleanup?.(server, ctx);
    }
  }
  const processes = processTree(server.pid, server.notServer).length;
  const clientCpu = childrenCpu();
  const sampler = new UsageSampler(server.pid, server.notServer, s.usage.intervalMs).start();
  let values: Values;
  try {
    values = await s.run(server, ctx, round);
  } finally {
    await settle(server, processes);
    const usage = sampler.stop();
    values ??= {};
    values.rss = usage.peakRss;
    if (s.usage.cpu) {
      values.serverCpu = usage.cpu;
      values.clientCpu = childrenCpu() - clientCpu;
    }
    await s.cleanup?.(server, ctx);
  }
  return values;
}

/** A scenario's sides: its own, or thru-sftp in local mode and OpenSSH. */
type StartSides = (scenario: Scenario<Side>) => Promise<Side[]>;

async function runScenario(s: Scenario<Side>, ctx: Context, start: StartSides, say: Say): Promise<FigureResult[]> {
  const o = ctx.options;
  const title = s.title(o);
  const rounds = s.rounds(o);
  const servers = await start(s);
  const [thru, baseline] = servers;
  const samples = new Map<string, Values[]>(servers.map((srv) => [srv.name, []]));
  try {
    if (thru?.name !== 'thru-sftp' || servers.length > 2 || samples.size !== servers.length) throw new Error(`the sides must be thru-sftp and at most one baseline of another name, not ${servers.map((srv) => srv.name).join(', ')}`);
    say(`\n== ${title}: ${rounds} round${rounds > 1 ? 's' : ''}, ${servers.map((srv) => srv.name).join(' and ')}${servers.length > 1 ? ' interleaved' : ''}`);
    for (const srv of servers) s.prepare?.(srv, ctx);
    if (s.warmup) for (const srv of servers) await s.run(srv, ctx, -1);
    for (let round = 0; round < rounds; round++) {
      for (const srv of servers) {
        const values = await measure(s, srv, ctx, round);
        samples.get(srv.name)!.push(values);
        say(`  round ${round + 1}/${rounds}  ${srv.name.padEnd(9)}  ${describe(values)}`);
      }
    }
  } finally {
    await Promise.allSettled(servers.map((srv) => srv.stop()));
  }
  const figures = { ...s.figures(o), ...(s.usage ? usageFigures(s.usage) : {}) };
  const of = (side: Side | undefined, key: string) => (side ? samples.get(side.name)!.map((v) => v[key]).filter((v): v is number => v !== undefined) : []);
  return Object.entries(figures).map(([key, f]) => evaluate({ scenario: title, ...f, vs: baseline?.name }, of(thru, key), of(baseline, key)));
}

export async function runBench(o: BenchOptions, say: Say, cleanups: Cleanups): Promise<BenchRun> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root: OpenSSH runs with a chroot and its own system user');
  const binding = ssh2Binding();
  if (!binding.native) {
    say('\n!!! WARNING: ssh2 runs WITHOUT its native crypto binding: AES-GCM is ~3.6x slower and every figure is wrong.');
    say('!!! Install g++, make and python3, then `npm rebuild ssh2`.\n');
  }
  const scenarios = SCENARIOS.filter((s) => o.only.length === 0 || o.only.includes(s.id));
  const outDir = resolve(REPO, o.out);
  mkdirSync(outDir, { recursive: true });
  const parent = scratchParent(o);
  const scratch = mkdtempSync(join(parent, 'bench-scratch-'));
  // mkdtemp makes it 0700; sshd reads authorized_keys as the bench user.
  chmodSync(scratch, 0o755);
  checkChrootPath(scratch);
  cleanups.push(() => {
    if (o.keep) say(`scratch kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  });

  if (o.runtime === 'dist') {
    say('building thru-sftp (npm run build:server)');
    execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: REPO, stdio: 'inherit' });
  }

  const password = randomBytes(12).toString('base64url');
  const passwordScheme = prepareBenchUser(o.user, password);
  cleanups.push(() => removeBenchUser(o.user));

  const clientDir = join(scratch, 'client');
  mkdirSync(clientDir, { mode: 0o700 });
  const keyFile = join(clientDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench-client', '-f', keyFile]);
  const publicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim();
  say(`generating test data in ${clientDir}`);
  const inputs = prepareInputs(o, clientDir, new Set(scenarios.map((s) => s.id)));
  const ctx: Context = { options: o, client: { keyFile, dir: clientDir, cipher: o.cipher }, privateKey: readFileSync(keyFile), inputs, work: clientDir };

  const loadBefore = loadAverage();
  const machine = machineFacts(REPO, scratch);
  const started = new Date();
  const account = { user: o.user, publicKey, password };
  const start: StartSides = async (s) => {
    const dir = join(scratch, s.id);
    mkdirSync(dir, { mode: 0o755 });
    // One profile per thread (tsx adds a loader thread), in a folder per scenario.
    const launch = { repo: REPO, runtime: o.runtime, nodeArgs: [...o.nodeArgs, ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(REPO, o.profileDir), s.id)}`] : [])] };
    const env: StartEnv = {
      dir, ctx, account, launch,
      async startThru({ flow, settings } = {}) {
        const thru = await startThru({ dir, ...launch, ...account, logLevel: o.logLevel, workers: o.workers, flow, env: settings });
        cleanups.push(() => thru.stop());
        return thru;
      },
      onCleanup: (step) => cleanups.push(step),
    };
    if (s.start) {
      const sides = await s.start(env);
      for (const side of sides) cleanups.push(() => side.stop());
      return sides;
    }
    const thru = await env.startThru({ settings: s.thruSettings });
    const sshd = await startSshd({ dir, user: o.user, publicKey, password, passwordScheme, maxStartups: 64 });
    cleanups.push(() => sshd.stop());
    return [thru, sshd];
  };

  const results: FigureResult[] = [];
  const notes: string[] = [];
  const scenarioNotes: string[] = [];
  for (const s of scenarios) {
    try {
      results.push(...(await runScenario(s, ctx, start, say)));
      scenarioNotes.push(...(s.notes?.(o) ?? []));
    } catch (err) {
      const msg = `${s.title(o)}: failed: ${(err as Error).message}`;
      say(`  ${msg}`);
      notes.push(msg);
    }
  }
  await cleanups.run();

  const facts: [string, string][] = [
    ['date', `${started.toISOString()} (load average ${loadBefore} at start, ${loadAverage()} at end)`],
    ...machine,
    ['client', `OpenSSH \`sftp -b\`, cipher ${o.cipher}, the same for both servers`],
    ['thru-sftp setup', `local mode in a child process (${o.runtime === 'tsx' ? '`node --import tsx bin/local.ts`, as `npm start`' : '`node dist/bin/local.js` with MALLOC_ARENA_MAX=2, as `npm start`'}), THRU_LOG_LEVEL=${o.logLevel}${o.workers > 1 ? `, THRU_WORKERS=${o.workers}` : ''}${o.nodeArgs.length > 0 ? `, node flags \`${o.nodeArgs.join(' ')}\`` : ''}, password hashed with scrypt (N=2^14, r=8)`],
    ['OpenSSH setup', `\`sshd -D\`, internal-sftp, ChrootDirectory, UsePAM no, password in /etc/shadow hashed with ${passwordScheme}`],
    ['rounds', `${o.rounds.transfer} per transfer scenario (S3 and delivery too), ${o.rounds.login} logins, ${o.rounds.idle} for idle sessions${o.quick ? ' (--quick)' : ''}; each round runs thru-sftp, then its baseline`],
  ];
  notes.push(
    'Ratios are thru-sftp\'s median over its baseline\'s (OpenSSH\'s, or for the S3 path a direct SDK upload\'s); "≤ N" targets hold thru-sftp\'s worst sample.',
    'Transfer times include the login (tens of ms). thru-sftp fsyncs every upload before answering CLOSE (its durability promise); OpenSSH does not. The page cache is flushed (untimed) after every run.',
    'Peak RSS: thru-sftp\'s node process (VmHWM, reset before each run; tsx\'s esbuild helper left out); OpenSSH: sum of VmHWM over the listening sshd and its per-connection processes, sampled every 10–50 ms. Summed RSS counts shared library pages once per process; the idle scenario also gives PSS, which splits them.',
    ...scenarioNotes,
  );
  const report = renderReport({ title: `thru-sftp vs OpenSSH sftp: ${sizeLabel(o.bigSize)} transfers${o.quick ? ' (quick)' : ''}`, facts, notes }, results);
  const stamp = started.toISOString().replace(/[:T]/g, '-').slice(0, 19);
  const file = join(outDir, `bench-${stamp}${o.quick ? '-quick' : ''}.md`);
  writeFileSync(file, report);
  writeFileSync(file.replace(/\.md$/, '.json'), JSON.stringify({ facts, results }, null, 2));
  return { results, report, file, scratch };
}

/**
 * Where the scratch folder goes: --dir, else reports/ when sshd may chroot below it,
 * else (a checkout under /tmp, as CI may use) a root-owned folder in /var/lib.
 */
function scratchParent(o: BenchOptions): string {
  const preferred = resolve(REPO, o.dir ?? o.out);
  mkdirSync(preferred, { recursive: true, mode: 0o755 });
  if (o.dir) return preferred;
  try {
    checkChrootPath(preferred);
    return preferred;
  } catch {
    const fallback = '/var/lib/thru-sftp-bench';
    mkdirSync(fallback, { recursive: true, mode: 0o755 });
    chmodSync(fallback, 0o755);
    return fallback;
  }
}
