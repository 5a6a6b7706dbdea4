// An SFTP session opened in-process with ssh2's client: for many idle sessions (1000
// `sftp` processes would cost the machine more than the servers under test) and for
// timing single requests precisely.
import ssh2, { type SFTPWrapper } from 'ssh2';
import type { SftpServer } from './server.js';

const { Client } = ssh2;
export type Client = InstanceType<typeof Client>;

export function openSftp(server: SftpServer, privateKey: Buffer, cipher: string): Promise<{ client: Client; sftp: SFTPWrapper }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const fail = (err: Error) => {
      client.end();
      reject(err);
    };
    // on, not once: a connection can fail twice (a reset, then "lost before handshake"),
    // and an error event nobody listens to would end the benchmark.
    client.on('error', fail);
    client.once('ready', () => {
      client.sftp((err, sftp) => {
        if (err) return fail(err);
        client.off('error', fail);
        client.on('error', () => undefined); // a reset while idling is counted at close
        resolve({ client, sftp });
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
