// The stock OpenSSH `sftp` client in batch mode, the same flags for both servers.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SftpServer } from './server.js';

export type Auth = 'key' | 'password';

export interface ClientSetup {
  /** Private key file registered with both servers. */
  keyFile: string;
  /** Folder for the askpass script. */
  dir: string;
  cipher: string;
}

function askpassScript(dir: string, password: string): string {
  const file = join(dir, 'askpass.sh');
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' '${password.replace(/'/g, `'\\''`)}'\n`, { mode: 0o700 });
  return file;
}

function argsFor(server: SftpServer, setup: ClientSetup, auth: Auth): { args: string[]; env: NodeJS.ProcessEnv } {
  const common = [
    '-q', '-F', '/dev/null', '-c', setup.cipher, '-P', String(server.port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'UpdateHostKeys=no',
    '-o', 'LogLevel=ERROR', '-o', 'Compression=no', '-o', 'ControlMaster=no',
  ];
  if (auth === 'key') {
    return {
      args: [...common, '-o', 'BatchMode=yes', '-o', 'PreferredAuthentications=publickey', '-o', 'IdentitiesOnly=yes', '-i', setup.keyFile],
      env: {},
    };
  }
  // sftp -b implies BatchMode=yes, which forbids password prompts; an explicit
  // BatchMode=no before it wins, and SSH_ASKPASS answers the one prompt.
  return {
    args: [...common, '-o', 'BatchMode=no', '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1'],
    env: { SSH_ASKPASS: askpassScript(setup.dir, server.password), SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
  };
}

/** Run `sftp -b -` with these commands; resolves with the wall time in ms, rejects on any failure. */
export function sftpBatch(server: SftpServer, setup: ClientSetup, auth: Auth, commands: string[], cwd?: string): Promise<number> {
  const { args, env } = argsFor(server, setup, auth);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sftp', [...args, '-b', '-', `${server.user}@127.0.0.1`], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      if (output.length < 4096) output += d.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`sftp against ${server.name} exited ${code}: ${output.trim().slice(0, 1000)}`));
    });
    child.stdin.end(`${commands.join('\n')}\n`);
  });
}
