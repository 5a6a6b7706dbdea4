// `npm run sim`: the AWS runtime on this machine (S3 on s3rver, DynamoDB on dynalite,
// the Lambda handlers in-process), with the settings and ports of `npm start`. With
// THRU_WORKERS > 1 the SSH front end runs in worker processes, as Fargate tasks do
// (node:cluster runs this same file in each). Each role loads only its own modules: a
// worker never loads s3rver, dynalite, the admin API or the pipeline.
import { runProcess } from '../src/runtime/run.js';
import { S3_FRONT_END_HEAP } from '../src/runtime/v8-heap.js';

await runProcess({
  title: 'thru-sftp (AWS runtime, simulated: s3rver + dynalite) is running',
  main: async (config, logger) => (await import('../src/runtime/sim.js')).startSim(config, logger),
  worker: async (config, logger) => (await import('../src/runtime/sim-front-end.js')).startSimWorker(config, logger),
  // The workers are the AWS runtime's front end: tuned as on Fargate (see sim.ts for their flags).
  workerHeap: S3_FRONT_END_HEAP,
});
