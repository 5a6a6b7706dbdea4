// Many idle authenticated SFTP sessions, opened in-process with ssh2's client (1000
// `sftp` processes would cost the machine more than the servers under test).
import ssh2 from 'ssh2';
import type { BenchServer } from './server.js';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

function openOne(server: BenchServer, privateKey: Buffer, cipher: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const fail = (err: Error) => {
      client.end();
      reject(err);
    };
    client.once('error', fail);
    client.once('ready', () => {
      client.sftp((err) => {
        if (err) return fail(err);
        client.off('error', fail);
        client.on('error', () => undefined); // a reset while idling is counted at close
        resolve(client);
      });
    });
    client.connect({
      host: '127.0.0.1',
      port: server.port,
      username: server.user,
      privateKey,
      algorithms: { cipher: [cipher as 'aes128-gcm@openssh.com'] },
      readyTimeout: 120_000,
      keepaliveInterval: 0,
    });
  });
}

/** Open `count` sessions, `concurrency` logins at a time (sshd's MaxStartups must allow it). */
export async function openSessions(server: BenchServer, privateKey: Buffer, cipher: string, count: number, concurrency: number): Promise<Client[]> {
  const clients: Client[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      clients.push(await openOne(server, privateKey, cipher));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (err) {
    await closeSessions(clients);
    throw err;
  }
  return clients;
}

export async function closeSessions(clients: Client[]): Promise<void> {
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          // A connection the server already dropped never emits close again.
          const timer = setTimeout(resolve, 10_000);
          c.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          c.end();
        }),
    ),
  );
}
