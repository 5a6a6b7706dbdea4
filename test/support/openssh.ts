// Drives the real OpenSSH clients (`sftp -b`, `scp`, `ssh`) against a test server.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClientKey {
  privateKeyFile: string;
  publicKey: string;
}

const keyDir = mkdtempSync(join(tmpdir(), 'thru-keys-'));
let keyCount = 0;

/** A fresh client key pair made by ssh-keygen. */
export function generateKey(type: 'ed25519' | 'ecdsa' | 'rsa' | 'dsa' = 'ed25519', bits?: number): ClientKey {
  const file = join(keyDir, `key${keyCount++}_${type}`);
  const args = ['-q', '-t', type, '-N', '', '-C', `test-${type}`, '-f', file];
  if (bits) args.push('-b', String(bits));
  execFileSync('ssh-keygen', args);
  return { privateKeyFile: file, publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

export interface Credentials {
  user: string;
  key?: ClientKey;
  password?: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function authArgs(c: Credentials): { args: string[]; env: NodeJS.ProcessEnv } {
  const common = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes', '-F', '/dev/null'];
  if (c.key) {
    return { args: ['-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no', '-i', c.key.privateKeyFile, ...common], env: {} };
  }
  // sftp -b implies BatchMode=yes, which forbids asking for a password; an earlier
  // -o BatchMode=no wins, and SSH_ASKPASS answers the prompt.
  const askpass = join(keyDir, `askpass${keyCount++}.sh`);
  writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' '${(c.password ?? '').replace(/'/g, `'\\''`)}'\n`, { mode: 0o700 });
  return {
    args: ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1', ...common],
    env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
  };
}

export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface SftpBatchOptions {
  cwd?: string;
  /** Before the usual options, so that they win (ssh takes the first value of an option). */
  extraArgs?: string[];
  /** Server address (default 127.0.0.1); an IPv6 address goes in brackets. */
  host?: string;
  /** Source address (ssh's BindAddress), e.g. another 127.0.0.x. */
  from?: string;
}

/** `sftp -b -` with the given batch commands; a failing command makes the run exit non-zero. */
export function sftpBatch(port: number, creds: Credentials, commands: string[], options: SftpBatchOptions = {}): Promise<RunResult> {
  const { args, env } = authArgs(creds);
  const host = options.host?.includes(':') ? `[${options.host}]` : (options.host ?? '127.0.0.1');
  const bind = options.from ? ['-o', `BindAddress=${options.from}`] : [];
  return run('sftp', [...(options.extraArgs ?? []), ...args, ...bind, '-P', String(port), '-b', '-', `${creds.user}@${host}`], {
    env, input: `${commands.join('\n')}\n`, cwd: options.cwd,
  });
}

/** Start `sftp -b` and hand back the child, for tests that kill it midway. */
export function spawnSftp(port: number, creds: Credentials, commands: string[]) {
  const { args, env } = authArgs(creds);
  const child = spawn('sftp', [...args, '-P', String(port), '-b', '-', `${creds.user}@127.0.0.1`], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(`${commands.join('\n')}\n`);
  return child;
}

export function scp(port: number, creds: Credentials, args: string[]): Promise<RunResult> {
  const auth = authArgs(creds);
  return run('scp', [...auth.args, '-P', String(port), ...args], { env: auth.env });
}

export function ssh(port: number, creds: Credentials, args: string[]): Promise<RunResult> {
  const auth = authArgs(creds);
  return run('ssh', [...auth.args, '-p', String(port), `${creds.user}@127.0.0.1`, ...args], { env: auth.env, timeoutMs: 20_000 });
}
