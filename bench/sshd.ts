// A private OpenSSH sshd for the comparison: its own config, host key and port, the
// stock `internal-sftp`, and a dedicated system user chrooted into a folder on the same
// filesystem as thru-sftp's data. Needs root (chroot, user switching).
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { freePort, waitForPort, type BenchServer } from './server.js';

export interface SshdOptions {
  dir: string;
  /** The system user made by prepareBenchUser. */
  user: string;
  publicKey: string;
  password: string;
  passwordScheme: string;
  /** Concurrent unauthenticated connections sshd accepts (idle-session scenario). */
  maxStartups: number;
}

export interface Sshd extends BenchServer {
  /** How the password is hashed in /etc/shadow, e.g. "yescrypt". */
  passwordScheme: string;
}

const run = (cmd: string, args: string[], input?: string) => execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

function ids(user: string): { uid: number; gid: number } {
  return { uid: Number(run('id', ['-u', user]).trim()), gid: Number(run('id', ['-g', user]).trim()) };
}

const SCHEMES: Record<string, string> = { y: 'yescrypt', '6': 'sha512crypt', '5': 'sha256crypt', gy: 'gost-yescrypt', '2b': 'bcrypt' };

/**
 * Create (or reuse) the system user OpenSSH logs the benchmark in as, and set its
 * password; returns how /etc/shadow hashes it.
 */
export function prepareBenchUser(user: string, password: string): string {
  try {
    run('id', ['-u', user]);
  } catch {
    // No home on the host: sshd chroots first, then uses /upload inside the chroot.
    run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/upload', '--shell', '/usr/sbin/nologin', user]);
  }
  // chpasswd goes through PAM, so the hash is what `passwd` would make (Debian 12: yescrypt).
  run('chpasswd', [], `${user}:${password}\n`);
  const hash = run('getent', ['shadow', user]).split(':')[1] ?? '';
  const id = /^\$([^$]+)\$/.exec(hash)?.[1] ?? '';
  return SCHEMES[id] ?? (id || 'unknown');
}

export function removeBenchUser(user: string): void {
  try {
    run('userdel', [user]);
  } catch {
    // not there
  }
}

/** sshd refuses a chroot unless every component of its path is root-owned and not group/world-writable. */
export function checkChrootPath(path: string): void {
  let p = path;
  for (;;) {
    const st = statSync(p);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) {
      throw new Error(`sshd cannot chroot below ${p} (it must be owned by root and writable only by root); pick another folder with --dir`);
    }
    const parent = dirname(p);
    if (parent === p) return;
    p = parent;
  }
}

export async function startSshd(options: SshdOptions): Promise<Sshd> {
  const { uid, gid } = ids(options.user);
  // sshd refuses to start without its privilege separation folder.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });

  const dir = join(options.dir, 'sshd');
  const chroot = join(options.dir, 'chroot');
  const home = join(chroot, 'upload');
  mkdirSync(dir, { mode: 0o755 });
  mkdirSync(chroot, { mode: 0o755 });
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, uid, gid);
  const hostKey = join(dir, 'host_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench-host', '-f', hostKey]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${options.publicKey}\n`, { mode: 0o644 });

  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      // sshd checks /etc/shadow itself; PAM would add its account and session stacks
      // to every login, which would make OpenSSH slower than it needs to be.
      'UsePAM no',
      'PermitRootLogin no',
      `AllowUsers ${options.user}`,
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'AllowAgentForwarding no',
      'PermitTTY no',
      'LogLevel ERROR',
      `MaxStartups ${options.maxStartups}`,
      'Subsystem sftp internal-sftp -d /upload',
      `Match User ${options.user}`,
      `  ChrootDirectory ${chroot}`,
      '',
    ].join('\n'),
  );
  run('/usr/sbin/sshd', ['-t', '-f', config]);

  const log = createWriteStream(join(dir, 'sshd.log'));
  // -D: stay in the foreground, so the child is the listening sshd; -e: log to stderr.
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = once(child, 'exit');
  await Promise.race([
    waitForPort(port),
    exited.then(() => Promise.reject(new Error(`sshd exited at start; see ${join(dir, 'sshd.log')}`))),
  ]);

  return {
    name: 'OpenSSH',
    port,
    user: options.user,
    password: options.password,
    home,
    pid: child.pid!,
    notServer: [],
    passwordScheme: options.passwordScheme,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
