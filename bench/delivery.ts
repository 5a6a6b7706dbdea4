// Issue 4's latency: from a temp-name rename's OK to the webhook POST for the completed
// file, in thru-sftp's local runtime alone. ssh2's client in this process uploads each
// file as x.filepart and renames it to x, in turn and without waiting for deliveries (as
// a partner would), so both instants are read from the same clock.
import { createHash, randomBytes } from 'node:crypto';
import type { SFTPWrapper } from 'ssh2';
import type { Scenario } from './scenario.js';
import type { BenchServer } from './server.js';
import { openSftp } from './ssh2-sftp.js';
import { percentile } from './stats.js';
import { WebhookReceiver } from './webhook-receiver.js';

interface DeliveryServer extends BenchServer {
  receiver: WebhookReceiver;
}

const call = (f: (cb: (err?: Error | null) => void) => void) => new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

/** Upload `data` as name.filepart, rename it to name; resolves when the rename's OK arrives, with performance.now(). */
async function uploadAndRename(sftp: SFTPWrapper, name: string, data: Buffer): Promise<number> {
  await call((cb) => sftp.writeFile(`${name}.filepart`, data, cb));
  await call((cb) => sftp.rename(`${name}.filepart`, name, cb));
  return performance.now();
}

const ARRIVAL_TIMEOUT_MS = 30_000;

export const delivery: Scenario<DeliveryServer> = {
  id: 'delivery',
  title: (o) => `rename → webhook, ${o.deliveryFiles} × ${o.smallSize / 1024} KiB`,
  rounds: (o) => o.rounds.transfer,
  figures: () => ({
    p50: { name: 'rename → delivered p50', unit: 'ms', better: 'lower', target: { kind: 'max', value: 100 } },
    p95: { name: 'rename → delivered p95', unit: 'ms', better: 'lower' },
    max: { name: 'rename → delivered max', unit: 'ms', better: 'lower' },
  }),
  notes: (o) => [
    `rename → delivered (issue 4): thru-sftp in local mode alone, one flow with tempFilePatterns ["*.filepart"] and a webhook target served by the benchmark process; ssh2's client, in the same process, uploads ${o.deliveryFiles} files of ${o.smallSize / 1024} KiB per round as x.filepart and renames each to x, one after the other without waiting for deliveries. Latency runs from the rename's OK status to the arrival of the signed POST for x. p50, p95 and max are per round; the table gives their median and range over the rounds, and the p50 target holds the worst round's.`,
  ],
  async start(env) {
    const secret = randomBytes(24).toString('base64url');
    const receiver = await WebhookReceiver.start(secret);
    try {
      const thru = await env.startThru({ flow: { tempFilePatterns: ['*.filepart'], webhook: { url: receiver.url, secret } } });
      return [{ ...thru, receiver, stop: () => thru.stop().finally(() => receiver.close()) }];
    } catch (err) {
      await receiver.close();
      throw err;
    }
  },
  usage: { intervalMs: 50, cpu: false },
  warmup: true,
  async run(server, ctx, round) {
    const data = randomBytes(ctx.options.smallSize);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const { client, sftp } = await openSftp(server, ctx.privateKey, ctx.options.cipher);
    try {
      const latencies: Promise<number>[] = [];
      for (let i = 0; i < ctx.options.deliveryFiles; i++) {
        const name = `d${round}-${String(i).padStart(4, '0')}.csv`;
        const renamed = await uploadAndRename(sftp, name, data);
        const latency = server.receiver.arrival(`/${name}`, ARRIVAL_TIMEOUT_MS).then(({ at, body }) => {
          if (body.size !== data.length || body.sha256 !== sha256) throw new Error(`the webhook for /${name} says ${body.size} bytes, sha256 ${body.sha256}`);
          return at - renamed;
        });
        latency.catch(() => undefined); // reported by Promise.all below, even if it fails while uploads go on
        latencies.push(latency);
      }
      const ms = await Promise.all(latencies);
      return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), max: Math.max(...ms) };
    } finally {
      client.end();
    }
  },
};
