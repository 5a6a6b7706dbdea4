// `npm run bench`: thru-sftp against OpenSSH's sshd (internal-sftp) on this machine,
// driven by the same stock `sftp` client, runs interleaved, medians and spreads
// printed and written to reports/bench-<date>.md. See README "Benchmark".
import { Cleanups, runBench } from './bench.js';
import { parseOptions, USAGE } from './options.js';
import { markdownTables } from './report.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const cleanups = new Cleanups(say);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the servers and cleaning up`);
    void cleanups.run().finally(() => process.exit(130));
  });
}

try {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    say(USAGE);
  } else {
    const { results, file } = await runBench(options, say, cleanups);
    say(`\n${markdownTables(results)}\n\nreport written to ${file}`);
  }
} catch (err) {
  say(`bench failed: ${(err as Error).message}`);
  await cleanups.run();
  process.exit(1);
}
