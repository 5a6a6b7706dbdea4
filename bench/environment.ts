// Facts about the machine and the software under test, printed at the top of the report.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, release } from 'node:os';

const require = createRequire(import.meta.url);

const tryRun = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    // `sshd -V` prints its version on stderr and exits non-zero
    return ((err as { stderr?: string }).stderr ?? '').trim();
  }
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
  return [
    ['machine', `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Linux ${release()}, ${tryRun('findmnt', ['-no', 'FSTYPE', '-T', dataDir]) || '?'} filesystem for both servers' data`],
    ['thru-sftp', `commit ${tryRun('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'])}${tryRun('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : ''}, Node ${process.version}, ssh2 ${binding.version} ${binding.native ? 'with' : 'WITHOUT'} its native crypto binding`],
    ['OpenSSH', tryRun('/usr/sbin/sshd', ['-V']).split('\n')[0] ?? '?'],
  ];
}
