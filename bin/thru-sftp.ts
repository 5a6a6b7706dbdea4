// `thru-sftp`: the admin CLI (src/cli). Run as `npx thru-sftp ...` in this repository.
import { runCli } from '../src/cli/program.js';

process.exitCode = await runCli(process.argv);
