// Facts about the machine and the software under test, printed at the top of the report.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, release } from 'node:os';

const require = createRequire(import.meta.url);

/** A command's output, stdout and stderr together (`sshd -V` prints on stderr), or '' when it cannot run. */
const output = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
};

/** Whether ssh2 found its native crypto binding (AES-GCM is ~3.6x slower without it). */
export function ssh2Binding(): { version: string; native: boolean } {
  const { version } = require('ssh2/package.json') as { version: string };
  const { bindingAvailable } = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
  return { version, native: bindingAvailable };
}

export const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ');

export function machineFacts(repo: string, dataDir: string): [string, string][] {
  const cpu = cpus();
  const binding = ssh2Binding();
  // Only changes to what runs count: the report and README may be edited meanwhile.
  const dirty = output('git', ['-C', repo, 'status', '--porcelain', '--', 'src', 'bin', 'patches', 'package.json', 'package-lock.json']);
  return [
    ['machine', `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Linux ${release()}, ${output('findmnt', ['-no', 'FSTYPE', '-T', dataDir]) || '?'} filesystem for both servers' data`],
    ['thru-sftp', `commit ${output('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'])}${dirty ? ' with uncommitted changes' : ''}, Node ${process.version}, ssh2 ${binding.version} ${binding.native ? 'with' : 'WITHOUT'} its native crypto binding`],
    ['OpenSSH', `${output('/usr/sbin/sshd', ['-V']).split('\n')[0] ?? '?'} (package openssh-server ${output('dpkg-query', ['-W', '-f', '${Version}', 'openssh-server']) || '?'})`],
  ];
}
