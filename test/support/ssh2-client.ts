// An in-process ssh2 client, for tests that need protocol-level control the OpenSSH
// client does not give (raw SFTP requests, channel types, dropping a connection).
import ssh2, { type Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';

export interface Connected {
  client: Client;
  sftp: SFTPWrapper;
  /** Resolves when the connection closes. */
  closed: Promise<void>;
  end(): void;
}

/** `config` may set `host` (default 127.0.0.1) and `localAddress` (another 127.0.0.x, to come from another client address). */
export function connect(
  port: number,
  config: Omit<ConnectConfig, 'port'>,
  setup?: (client: Client) => void,
): Promise<Client & { closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    setup?.(client);
    const closed = new Promise<void>((ok) => client.on('close', () => ok()));
    client.on('ready', () => resolve(Object.assign(client, { closed })));
    client.on('error', reject);
    // A server may end the connection without an error (DISCONNECT by application).
    client.on('close', () => reject(new Error('the connection closed before login')));
    client.connect({ host: '127.0.0.1', port, readyTimeout: 20_000, ...config });
  });
}

export async function connectSftp(port: number, config: Omit<ConnectConfig, 'port'>): Promise<Connected> {
  const client = await connect(port, config);
  const sftp = await new Promise<SFTPWrapper>((ok, fail) => client.sftp((err, s) => (err ? fail(err) : ok(s))));
  return { client, sftp, closed: client.closed, end: () => client.end() };
}

/** Promisify one SFTPWrapper call: `call(sftp.stat.bind(sftp), '/x')`. */
export function call<T>(fn: (...args: never[]) => void, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    (fn as (...a: unknown[]) => void)(...args, (err: Error | undefined | null, value: T) => (err ? reject(err) : resolve(value)));
  });
}

/** The SFTP status code of a failed call (ssh2 puts it on `err.code`). */
export async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: number }).code ?? String(err);
  }
}
