// Many idle authenticated SFTP sessions, opened in-process with ssh2's client.
import type { SftpServer } from './server.js';
import { openSftp, type Client } from './ssh2-sftp.js';

const openOne = async (server: SftpServer, privateKey: Buffer, cipher: string): Promise<Client> => (await openSftp(server, privateKey, cipher)).client;

/** Open `count` sessions, `concurrency` logins at a time (sshd's MaxStartups must allow it). */
export async function openSessions(server: SftpServer, privateKey: Buffer, cipher: string, count: number, concurrency: number): Promise<Client[]> {
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
