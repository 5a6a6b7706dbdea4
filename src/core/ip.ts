// Client addresses: canonical form, CIDR lists, and the unit that brute-force scores and
// bans are kept under. IPv4-mapped IPv6 ("::ffff:192.0.2.1", what a dual-stack socket
// reports for an IPv4 client) counts as the IPv4 address everywhere.
import ipaddr from 'ipaddr.js';
import { invalidArgument } from './errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The address with IPv4-mapped IPv6 unwrapped; undefined when `ip` is not an address. */
export function parseIp(ip: string): Address | undefined {
  try {
    return ipaddr.process(ip);
  } catch {
    return undefined;
  }
}

/** Throws invalid_argument unless every entry is a CIDR ("10.0.0.0/8", "2001:db8::/32"). */
export function checkCidrs(cidrs: readonly string[], what: string): void {
  for (const cidr of cidrs) {
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      throw invalidArgument(`${what}: "${cidr}" is not a CIDR block`);
    }
  }
}

/** True when `ip` lies in one of `cidrs`; false for an empty list or an unparsable address. */
export function ipInCidrs(cidrs: readonly string[], ip: string): boolean {
  const addr = parseIp(ip);
  if (!addr) return false;
  return cidrs.some((cidr) => {
    try {
      const [range, bits] = ipaddr.parseCIDR(cidr);
      // An IPv4 client matches an IPv4-mapped IPv6 block ("::ffff:0:0/96") too.
      const candidate = range.kind() === 'ipv6' && addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).toIPv4MappedAddress() : addr;
      return candidate.kind() === range.kind() && candidate.match([range, bits] as [typeof range, number]);
    } catch {
      return false;
    }
  });
}

/** IPv6 clients are scored and banned by /64: one host usually holds a whole /64. */
export const IPV6_BAN_PREFIX = 64;

/**
 * The key a client's score and ban are kept under: the IPv4 address, or the IPv6 /64
 * ("2001:db8:1:2::/64"). Accepts an address or such a /64 (as the admin API passes it back).
 * Throws invalid_argument for anything else.
 */
export function clientKey(ipOrPrefix: string): string {
  if (ipOrPrefix.includes('/')) {
    let parsed: [Address, number];
    try {
      parsed = ipaddr.parseCIDR(ipOrPrefix);
    } catch {
      throw invalidArgument(`"${ipOrPrefix}" is neither an IP address nor an IPv6 /${IPV6_BAN_PREFIX}`);
    }
    const [range, bits] = parsed;
    if (range.kind() !== 'ipv6' || bits !== IPV6_BAN_PREFIX) throw invalidArgument(`"${ipOrPrefix}" is neither an IP address nor an IPv6 /${IPV6_BAN_PREFIX}`);
    return networkOf(range as ipaddr.IPv6);
  }
  const addr = parseIp(ipOrPrefix);
  if (!addr) throw invalidArgument(`"${ipOrPrefix}" is not an IP address`);
  return addr.kind() === 'ipv4' ? addr.toString() : networkOf(addr as ipaddr.IPv6);
}

function networkOf(addr: ipaddr.IPv6): string {
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${IPV6_BAN_PREFIX}`);
  return `${network.toString()}/${IPV6_BAN_PREFIX}`;
}
