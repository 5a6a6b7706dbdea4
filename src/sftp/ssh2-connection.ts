// Two things ssh2 1.17's server-side Connection keeps private: the socket it runs on
// (the front end keys its per-connection state by the socket it accepted, because ssh2
// emits the connection only once the client's identification has arrived) and a
// DISCONNECT with a reason code (its end() always says BY_APPLICATION). Both are fields
// ssh2 sets in its constructor; reached here only, so an upgrade has one place to check.
import type { Socket } from 'node:net';
import type { Connection } from 'ssh2';

interface Internals {
  _sock?: Socket;
  _protocol?: { disconnect(reason: number): void };
}

/** SSH_MSG_DISCONNECT reason codes (RFC 4253 §11.1) we send. */
export const DISCONNECT = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
} as const;

export function socketOf(client: Connection): Socket | undefined {
  return (client as unknown as Internals)._sock;
}

/** Sends DISCONNECT with `reason` and ends the connection (OpenSSH prints the code). */
export function disconnect(client: Connection, reason: number): void {
  const { _sock: socket, _protocol: protocol } = client as unknown as Internals;
  if (!socket || !protocol || !socket.writable) return void client.end();
  protocol.disconnect(reason);
  socket.end();
}
