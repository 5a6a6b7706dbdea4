// `npm run sim`: the AWS runtime on this machine (S3 on s3rver, DynamoDB on dynalite,
// the Lambda handlers in-process), with the settings and ports of `npm start`. With
// THRU_WORKERS > 1 the SSH front end runs in worker processes, as Fargate tasks do
// (node:cluster runs this same file in each).
import { runProcess } from '../src/runtime/run.js';
import { startSim, startSimWorker } from '../src/runtime/sim.js';

await runProcess({ title: 'thru-sftp (AWS runtime, simulated: s3rver + dynalite) is running', main: startSim, worker: startSimWorker });
