// What a scenario is to the harness: how to start the sides it compares (thru-sftp and
// OpenSSH unless it says otherwise), how to run and clean up one round, and which
// figures a round yields. Helpers shared by the scenario modules.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options.js';
import type { Figure, Target } from './report.js';
import type { BenchServer, Side } from './server.js';
import type { ClientSetup } from './sftp-client.js';
import type { BenchFlow } from './provision.js';
import type { ThruRuntime } from './thru.js';

export const MIB = 1024 * 1024;

export interface Inputs {
  /** Random file of bigSize bytes. */
  big: string;
  /** Random file of parallelSize bytes. */
  parallel: string;
  /** Folder of smallFiles random files. */
  small: string;
}

export interface Context {
  options: BenchOptions;
  client: ClientSetup;
  privateKey: Buffer;
  inputs: Inputs;
  /** Client-side scratch folder (downloads). */
  work: string;
}

/** The SFTP account every server under test is given. */
export interface Account {
  user: string;
  publicKey: string;
  password: string;
}

/** How thru-sftp's processes are launched, whichever runtime (local, sim). */
export interface Launch {
  repo: string;
  runtime: ThruRuntime;
  nodeArgs: string[];
}

/** What a scenario's own `start` gets. */
export interface StartEnv {
  /** A fresh folder for this scenario's servers and data. */
  dir: string;
  ctx: Context;
  account: Account;
  launch: Launch;
  /** thru-sftp in local mode as the comparison scenarios run it: this flow from the bench user's endpoint, these THRU_* settings. */
  startThru(o?: { flow?: BenchFlow; settings?: Record<string, string> }): Promise<BenchServer>;
  /** A step run at the end of the whole run, newest first (sides are stopped after their scenario anyway). */
  onCleanup(step: () => Promise<void> | void): void;
}

export type Values = Record<string, number>;

/**
 * S: the sides the scenario runs against. The first side is thru-sftp, the second (if
 * any) its baseline; rounds run them in turn.
 */
export interface Scenario<S extends Side = BenchServer> {
  id: string;
  title(o: BenchOptions): string;
  rounds(o: BenchOptions): number;
  /** Figures the run returns, by key; resource figures are added when `usage` is set. */
  figures(o: BenchOptions): Record<string, Omit<Figure, 'scenario'>>;
  /** Said in the report's notes once the scenario ran (it may quote what it measured). */
  notes?(o: BenchOptions): string[];
  /** The sides to measure; without it, thru-sftp in local mode and OpenSSH's sshd. */
  start?(env: StartEnv): Promise<S[]>;
  /** THRU_* settings for thru-sftp in local mode when the scenario has no `start` of its own. */
  thruSettings?: Record<string, string>;
  /**
   * Sample the side's process tree around each run (interval in ms) for its peak RSS
   * (with an optional target) and, for runs long enough to count, the CPU both sides use.
   */
  usage?: { intervalMs: number; rssTarget?: Target; cpu: boolean };
  /** One untimed run per side first (caches, JIT). */
  warmup?: boolean;
  prepare?(side: S, ctx: Context): void;
  run(side: S, ctx: Context, round: number): Promise<Values>;
  cleanup?(side: S, ctx: Context): Promise<void> | void;
}

export const sizeLabel = (bytes: number) => (bytes >= 1024 * MIB ? `${bytes / (1024 * MIB)} GiB` : `${bytes / MIB} MiB`);

/** Flush dirty pages so the next run starts from the same state. */
export const flush = () => void execFileSync('sync');

export const removeMatching = (dir: string, prefix: string) => {
  for (const name of readdirSync(dir)) if (name.startsWith(prefix)) rmSync(join(dir, name), { recursive: true, force: true });
};

export const mibPerSecond = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);
