// Experiment behind `npm run bench -- --workers N`: thru-sftp's local runtime in N
// processes that share the SFTP port through node:cluster, to measure what using
// every core would give. Not a supported way to run thru-sftp: every worker runs the
// whole runtime (FsStorage.init clears the staging folder, each has its own admin
// API and SQLite connection), which is safe only on a fresh data folder before any
// upload, as in the benchmark.
import cluster from 'node:cluster';
import { once } from 'node:events';

if (cluster.isPrimary) {
  const count = Number(process.env.THRU_BENCH_WORKERS ?? 2);
  for (let i = 0; i < count; i++) cluster.fork();
  const stop = async () => {
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(workers.map((w) => (w.kill('SIGTERM'), once(w, 'exit'))));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
} else {
  await import('../bin/local.js');
}
