// Raw TCP connections to a test server, for what happens before SSH starts.
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Resolves, once the server has closed, with everything it sent (latin1). */
  closed: Promise<string>;
}

/** Connects from `from` (another 127.0.0.x, or ::1 with host ::1) and sends `send`, if given. */
export function rawConnection(port: number, options: { from?: string; host?: string; send?: string | Buffer } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port, localAddress: options.from });
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const closed = new Promise<string>((ok) => socket.on('close', () => ok(received)));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A reset by the server is a close like any other here.
      socket.on('error', () => {});
      if (options.send) socket.write(options.send);
      resolve({ socket, closed });
    });
  });
}
