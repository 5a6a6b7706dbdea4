// The scenarios of issue 7 against OpenSSH, and the list of every scenario. Each run is
// timed around the stock `sftp` client (login included, a few ms against seconds of
// transfer), then its leftovers are removed and the page cache flushed, untimed, so one
// server's writeback never lands in the other's run.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { delivery } from './delivery.js';
import { closeSessions, openSessions } from './idle.js';
import { pssOf, processTree, treeMemory } from './procfs.js';
import { s3Upload } from './s3-upload.js';
import { flush, MIB, mibPerSecond, removeMatching, sizeLabel, type Scenario } from './scenario.js';
import type { Side } from './server.js';
import { sftpBatch } from './sftp-client.js';

const put: Scenario = {
  id: 'put',
  title: (o) => `put ${sizeLabel(o.bigSize)}`,
  rounds: (o) => o.rounds.transfer,
  figures: () => ({ rate: { name: 'throughput', unit: 'MiB/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 1.5 } } }),
  usage: { intervalMs: 50, rssTarget: { kind: 'max', value: 128 }, cpu: true },
  async run(server, ctx, round) {
    const ms = await sftpBatch(server, ctx.client, 'key', [`put ${ctx.inputs.big} put-${round}.bin`]);
    return { rate: mibPerSecond(ctx.options.bigSize, ms) };
  },
  cleanup(server) {
    removeMatching(server.home, 'put-');
    flush();
  },
};

const get: Scenario = {
  id: 'get',
  title: (o) => `get ${sizeLabel(o.bigSize)}`,
  rounds: (o) => o.rounds.transfer,
  figures: () => ({ rate: { name: 'throughput', unit: 'MiB/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 1.1 } } }),
  usage: { intervalMs: 50, cpu: true },
  prepare(server, ctx) {
    copyFileSync(ctx.inputs.big, join(server.home, 'get.bin'));
    flush();
  },
  async run(server, ctx) {
    const ms = await sftpBatch(server, ctx.client, 'key', [`get get.bin ${join(ctx.work, 'get.bin')}`]);
    return { rate: mibPerSecond(ctx.options.bigSize, ms) };
  },
  cleanup(_server, ctx) {
    rmSync(join(ctx.work, 'get.bin'), { force: true });
    flush();
  },
};

const small: Scenario = {
  id: 'small',
  title: (o) => `put -r ${o.smallFiles} × ${o.smallSize / 1024} KiB`,
  rounds: (o) => o.rounds.transfer,
  figures: () => ({ rate: { name: 'files per second', unit: 'files/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 1.1 } } }),
  usage: { intervalMs: 50, cpu: true },
  async run(server, ctx, round) {
    const ms = await sftpBatch(server, ctx.client, 'key', [`put -r ${ctx.inputs.small} small-${round}`]);
    return { rate: ctx.options.smallFiles / (ms / 1000) };
  },
  // Each round writes into its own folder and the files stay until the end: deleting
  // thousands of inodes makes ext4 skip them when allocating new ones for a minute or
  // more (recently_deleted() was 10% of the server's CPU in perf), which would slow
  // whichever server runs next.
  cleanup: flush,
};

/** The same tree with `put -f`: the client asks for fsync@openssh.com after each file, so both servers make every file durable. */
const smallDurable: Scenario = {
  ...small,
  id: 'small-fsync',
  title: (o) => `put -r -f ${o.smallFiles} × ${o.smallSize / 1024} KiB (fsync each)`,
  figures: () => ({ rate: { name: 'files per second', unit: 'files/s', better: 'higher' } }),
  async run(server, ctx, round) {
    const ms = await sftpBatch(server, ctx.client, 'key', [`put -r -f ${ctx.inputs.small} small-${round}`]);
    return { rate: ctx.options.smallFiles / (ms / 1000) };
  },
};

const parallel: Scenario = {
  id: 'parallel',
  title: (o) => `${o.parallelClients} clients × put ${sizeLabel(o.parallelSize)}`,
  rounds: (o) => o.rounds.transfer,
  figures: () => ({ rate: { name: 'total throughput', unit: 'MiB/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 1.8 } } }),
  usage: { intervalMs: 50, rssTarget: { kind: 'max', value: 256 }, cpu: true },
  async run(server, ctx, round) {
    const { parallelClients: n, parallelSize: size } = ctx.options;
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => sftpBatch(server, ctx.client, 'key', [`put ${ctx.inputs.parallel} par-${round}-${i}.bin`])));
    return { rate: mibPerSecond(n * size, performance.now() - started) };
  },
  cleanup(server) {
    removeMatching(server.home, 'par-');
    flush();
  },
};

const login = (auth: 'key' | 'password', target: number): Scenario => ({
  id: `login-${auth}`,
  title: () => `login + pwd, ${auth === 'key' ? 'Ed25519 key' : 'password'}`,
  rounds: (o) => o.rounds.login,
  figures: () => ({ ms: { name: 'time', unit: 'ms', better: 'lower', target: { kind: 'ratio', op: '<=', value: target } } }),
  usage: { intervalMs: 10, cpu: false },
  warmup: true,
  async run(server, ctx) {
    return { ms: await sftpBatch(server, ctx.client, auth, ['pwd']) };
  },
});

const idle: Scenario = {
  id: 'idle',
  title: (o) => `${o.idleSessions} idle sessions`,
  rounds: (o) => o.rounds.idle,
  figures: () => ({
    rss: { name: 'server RSS', unit: 'MiB', better: 'lower', target: { kind: 'max', value: 512 } },
    pss: { name: 'server PSS (shared pages split)', unit: 'MiB', better: 'lower' },
    open: { name: 'time to open them', unit: 's', better: 'lower' },
  }),
  // All sessions come from 127.0.0.1 as one user: lift thru-sftp's per-address and
  // per-user caps (50 and 20 by default), as sshd's config here has none either.
  thruSettings: { THRU_MAX_CONNECTIONS_PER_IP: '0', THRU_MAX_SESSIONS_PER_USER: '0' },
  async run(server, ctx) {
    const before = processTree(server.pid, server.notServer).length;
    const started = performance.now();
    // sshd's MaxStartups is raised above this; both servers see the same login rate.
    const clients = await openSessions(server, ctx.privateKey, ctx.options.cipher, ctx.options.idleSessions, 16);
    const open = (performance.now() - started) / 1000;
    await sleep(2000); // let both settle: sshd's forks finish, Node's heap after the logins
    const pids = processTree(server.pid, server.notServer);
    const { rss } = treeMemory(pids);
    const pss = pids.reduce((sum, pid) => sum + (pssOf(pid) ?? 0), 0);
    await closeSessions(clients);
    // sshd's processes exit after their clients: wait, so the next run starts clean.
    const deadline = Date.now() + 60_000;
    while (processTree(server.pid, server.notServer).length > before && Date.now() < deadline) await sleep(100);
    return { rss: rss / MIB, pss: pss / MIB, open };
  },
};

// Method parameters are bivariant, so a scenario's own kind of side fits the harness's Side.
export const SCENARIOS: Scenario<Side>[] = [put, get, small, smallDurable, parallel, login('key', 0.2), login('password', 0.5), idle, delivery, s3Upload];
