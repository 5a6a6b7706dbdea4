// Container health check (Dockerfile HEALTHCHECK and the ECS task definition): exits 0
// when the SFTP port on this host answers with an SSH identification line within
// the timeout, 1 otherwise. Plain node, no curl in the image.
import { connect } from 'node:net';

const port = Number(process.env.THRU_SFTP_PORT ?? 2222);
const timeoutMs = 4000;

const socket = connect({ host: '127.0.0.1', port });
const done = (healthy: boolean, why: string) => {
  socket.destroy();
  if (!healthy) process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(healthy ? 0 : 1);
};
socket.setTimeout(timeoutMs, () => done(false, `no SSH banner within ${timeoutMs} ms`));
socket.once('error', (err) => done(false, err.message));
let received = '';
socket.on('data', (chunk: Buffer) => {
  received += chunk.toString('latin1');
  if (received.startsWith('SSH-')) done(true, '');
  else if (received.length >= 4) done(false, 'the port does not speak SSH');
});
socket.once('end', () => done(false, 'connection closed before the SSH banner'));
