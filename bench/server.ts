// What a scenario needs to know about a server under test, whichever it is.

/**
 * One side of a comparison: what the report names it, and the process tree whose
 * memory and CPU count for it. Two sides may share a process (the S3 scenario's direct
 * SDK upload is measured on the sim that serves both).
 */
export interface Side {
  name: string;
  /** Root of the measured process tree. */
  pid: number;
  /** Command names in that tree that are not the server (e.g. a dev-time transpiler). */
  notServer: string[];
  stop(): Promise<void>;
}

/** A side that serves SFTP to the bench user. */
export interface SftpServer extends Side {
  port: number;
  user: string;
  password: string;
}

/** An SFTP server whose files are on this machine's disk: thru-sftp in local mode, or OpenSSH. */
export interface BenchServer extends SftpServer {
  name: 'thru-sftp' | 'OpenSSH';
  /** The folder on disk that is the user's SFTP working directory. */
  home: string;
}

/** Wait until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free a moment ago (sshd needs a number up front). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
