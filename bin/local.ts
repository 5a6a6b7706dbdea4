// `npm start`: thru-sftp on this machine (SPEC §4): one process, or with THRU_WORKERS > 1
// this one plus SFTP worker processes (node:cluster runs this same file in each).
import { startLocal, startLocalWorker } from '../src/runtime/local.js';
import { runProcess } from '../src/runtime/run.js';

await runProcess({ title: 'thru-sftp is running', main: startLocal, worker: startLocalWorker });
