// PROXY protocol v2 on an accepted socket, before SSH starts: behind a load balancer that
// sends it (an AWS NLB target group with proxy protocol v2 on), the client's address is
// in this header, not in the socket. proxy-protocol-js decodes the header; framing it
// out of the stream is ours: 16 fixed bytes whose last two give the length of the rest.
// Only used when the setting is on; then a connection without a valid header is refused,
// so a client can never claim an address by sending one itself to a server that does not
// expect it, nor skip it on one that does.
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Command, IPv4ProxyAddress, IPv6ProxyAddress, TransportProtocol, V2ProxyProtocol } from 'proxy-protocol-js';

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const FIXED_LENGTH = 16;
/** Addresses (at most 216 bytes, AF_UNIX) plus TLVs: an NLB sends a few dozen bytes. */
const MAX_VARIABLE_LENGTH = 1024;

export interface ProxyHeader {
  /** The client's address; undefined for a LOCAL header (the balancer's own health check) or a non-IP family. */
  sourceIp?: string;
  sourcePort?: number;
}

export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

function decode(header: Buffer): ProxyHeader {
  let parsed: V2ProxyProtocol;
  try {
    parsed = V2ProxyProtocol.parse(header);
  } catch (err) {
    // The library throws plain objects with a message.
    throw new ProxyHeaderError(`invalid PROXY v2 header: ${(err as { message?: string }).message ?? 'unparsable'}`);
  }
  if (parsed.command === Command.LOCAL) return {};
  if (parsed.transportProtocol !== TransportProtocol.STREAM) throw new ProxyHeaderError('PROXY v2 header for a transport other than TCP');
  const address = parsed.proxyAddress;
  if (address instanceof IPv4ProxyAddress || address instanceof IPv6ProxyAddress) {
    return { sourceIp: ipaddr.fromByteArray([...address.sourceAddress.address]).toString(), sourcePort: address.sourcePort };
  }
  return {};
}

/**
 * Reads the PROXY v2 header off `socket` and leaves what follows it (the SSH
 * identification) unread, with the socket paused. Rejects with ProxyHeaderError at the
 * first byte that cannot start a header, and when the socket closes first; the caller's
 * timer bounds how long it may take.
 */
export function readProxyHeader(socket: Socket): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const finish = (outcome: ProxyHeader | ProxyHeaderError) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      if (outcome instanceof ProxyHeaderError) reject(outcome);
      else resolve(outcome);
    };
    const onClose = () => finish(new ProxyHeaderError('the connection closed before a PROXY v2 header'));
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const n = Math.min(received.length, SIGNATURE.length);
      if (!received.subarray(0, n).equals(SIGNATURE.subarray(0, n))) return finish(new ProxyHeaderError('no PROXY v2 header'));
      if (received.length < FIXED_LENGTH) return;
      const length = received.readUInt16BE(14);
      if (length > MAX_VARIABLE_LENGTH) return finish(new ProxyHeaderError(`PROXY v2 header of ${length} bytes`));
      if (received.length < FIXED_LENGTH + length) return;
      socket.pause();
      const rest = received.subarray(FIXED_LENGTH + length);
      if (rest.length > 0) socket.unshift(rest);
      let header: ProxyHeader | ProxyHeaderError;
      try {
        header = decode(received.subarray(0, FIXED_LENGTH + length));
      } catch (err) {
        header = err instanceof ProxyHeaderError ? err : new ProxyHeaderError(String(err));
      }
      finish(header);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
