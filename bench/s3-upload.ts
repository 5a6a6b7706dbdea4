// Issue 5's S3 path: the big file put with the stock `sftp` client into `npm run sim`
// (the AWS runtime, files on s3rver), against a direct SDK upload of the same file to
// the same s3rver bucket from the bench process. The sim runs its SSH front end in
// worker processes (THRU_WORKERS=2), as Fargate runs it apart from S3 and the Lambdas, so
// the front end's own peak RSS is measured alone; s3rver's share of the main process is
// measured once on the fresh sim, before any SFTP run makes the heap grow.
import { createReadStream } from 'node:fs';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Client } from '../src/adapters/aws/s3-client.js';
import { DEFAULT_PART_TUNING } from '../src/adapters/aws/s3-multipart.js';
import { memoryOf, processTree, resetPeak, UsageSampler } from './procfs.js';
import { formatNumber } from './report.js';
import { flush, MIB, mibPerSecond, sizeLabel, type Scenario } from './scenario.js';
import type { Side } from './server.js';
import { sftpBatch } from './sftp-client.js';
import { startSim } from './sim.js';

interface Uploader extends Side {
  /** Upload the file as `name`; resolves once the object is complete in the bucket. */
  put(file: string, name: string): Promise<void>;
  /** The object's size, undefined when it is not there. */
  sizeOf(name: string): Promise<number | undefined>;
  /** Remove every object this side uploaded. */
  removeAll(): Promise<void>;
}

/** put/sizeOf/removeAll on objects under `prefix` of the bucket. */
function objects(s3: S3Client, bucket: string, prefix: string, upload: (file: string, name: string, key: string) => Promise<unknown>) {
  const keys = new Set<string>();
  return {
    async put(file: string, name: string) {
      keys.add(prefix + name);
      await upload(file, name, prefix + name);
    },
    async sizeOf(name: string) {
      try {
        return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + name }))).ContentLength;
      } catch (err) {
        if ((err as { name?: string }).name === 'NotFound') return undefined;
        throw err;
      }
    },
    async removeAll() {
      for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
      keys.clear();
    },
  };
}

const rss = (pid: number) => (memoryOf(pid)?.rss ?? NaN) / MIB;

/** The sim's RSS at rest and its peak during one direct upload, in MiB, before any SFTP run. */
async function freshSimMemory(direct: Uploader, file: string): Promise<{ rest: number; directPeak: number }> {
  const rest = rss(direct.pid);
  const sampler = new UsageSampler(direct.pid, direct.notServer, 50).start();
  let directPeak: number;
  try {
    await direct.put(file, 'fresh.bin');
  } finally {
    directPeak = sampler.stop().peakRss;
    await direct.removeAll();
    flush();
  }
  return { rest, directPeak };
}

function s3UploadScenario(): Scenario<Uploader> {
  let fresh: { rest: number; directPeak: number } | undefined;
  return {
    id: 's3',
    title: (o) => `put ${sizeLabel(o.bigSize)} to S3 (sim, s3rver)`,
    rounds: (o) => o.rounds.transfer,
    figures: () => ({
      rate: { name: 'throughput', unit: 'MiB/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 0.8 } },
      // The front end as a Fargate task runs it: alone in its process (a sim worker).
      front: { name: 'front end peak RSS (its own process)', unit: 'MiB', better: 'lower', target: { kind: 'max', value: 160 } },
      // The sim's heap does not shrink between runs: each side's peak starts from here.
      before: { name: 'sim RSS before the run (all processes)', unit: 'MiB', better: 'lower' },
    }),
    // The whole sim: s3rver, dynalite and the Lambdas included; the target is the front end's.
    usage: { intervalMs: 50, cpu: false },
    notes: () => [
      'S3 path (issue 5): thru-sftp is `npm run sim` (the AWS runtime: s3rver, dynalite and the Lambda handlers in one node process, compiled like `npm start`; with THRU_WORKERS=2 its SSH front end runs in two worker processes, as Fargate tasks do), driven by the stock `sftp` client as above; the baseline uploads the same file to the same s3rver bucket from the benchmark process with @aws-sdk/lib-storage\'s Upload, in the S3 adapter\'s part size and concurrency (' +
        `${DEFAULT_PART_TUNING.minPartSize / 2 ** 20} MiB parts, ${DEFAULT_PART_TUNING.maxConcurrentParts} at a time). s3rver writes every part to disk, then concatenates them, for both sides.`,
      `S3 path, RSS: "front end peak RSS" is the peak of the worker that served the upload (the largest of the two workers' peaks; for the baseline, the idle workers'); "server peak RSS" sums every process of the sim, s3rver's included; the baseline's is the same processes during the direct upload, with the SFTP side idle. The heap keeps what a run grew to, so each run's peak starts from the previous run's ("sim RSS before the run").${
        fresh ? ` On the fresh sim, before any SFTP run: ${formatNumber(fresh.rest)} MiB at rest, ${formatNumber(fresh.directPeak)} MiB at the peak of one direct upload: s3rver's own working memory is about ${formatNumber(fresh.directPeak - fresh.rest)} MiB.` : ''
      }`,
    ],
    async start(env) {
      const sim = await startSim({ dir: env.dir, launch: env.launch, account: env.account, env: { THRU_WORKERS: '2' } });
      const s3 = createS3Client({
        endpoint: sim.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, checksums: false,
      });
      const { minPartSize: partSize, maxConcurrentParts: queueSize } = DEFAULT_PART_TUNING;
      const thru: Uploader = {
        ...sim.server,
        ...objects(s3, sim.bucket, sim.homePrefix, (file, name) => sftpBatch(sim.server, env.ctx.client, 'key', [`put ${file} ${name}`])),
        async stop() {
          s3.destroy();
          await sim.server.stop();
        },
      };
      // Outside any endpoint's prefix: the sim's post-upload handler ignores these objects.
      const direct: Uploader = {
        name: 'direct SDK upload',
        pid: sim.server.pid,
        notServer: sim.server.notServer,
        ...objects(s3, sim.bucket, 'bench-direct/', (file, _name, Key) =>
          new Upload({ client: s3, params: { Bucket: sim.bucket, Key, Body: createReadStream(file, { highWaterMark: MIB }), ServerSideEncryption: 'AES256' }, partSize, queueSize }).done(),
        ),
        stop: async () => undefined, // the thru-sftp side stops the sim
      };
      try {
        fresh = await freshSimMemory(direct, env.ctx.inputs.big);
      } catch (err) {
        await thru.stop();
        throw err;
      }
      return [thru, direct];
    },
    async run(side, ctx, round) {
      const name = `s3-${round}.bin`;
      const tree = processTree(side.pid, side.notServer);
      const before = tree.reduce((sum, pid) => sum + rss(pid), 0);
      // The sim's workers: every process of its tree but the sim itself.
      const workers = tree.filter((pid) => pid !== side.pid);
      if (workers.length === 0) throw new Error('the sim runs no SFTP worker process');
      for (const pid of workers) resetPeak(pid);
      const started = performance.now();
      await side.put(ctx.inputs.big, name);
      const ms = performance.now() - started;
      const front = Math.max(...workers.map((pid) => (memoryOf(pid)?.hwm ?? NaN) / MIB));
      const size = await side.sizeOf(name);
      if (size !== ctx.options.bigSize) throw new Error(`${side.name}: the object has ${size ?? 'no'} bytes, not ${ctx.options.bigSize}`);
      return { rate: mibPerSecond(ctx.options.bigSize, ms), front, before };
    },
    async cleanup(side) {
      await side.removeAll();
      flush();
    },
  };
}

export const s3Upload = s3UploadScenario();
