import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** An IP network such as `10.0.0.0/8` or `fc00::/7`; a bare address is a network of one. */
export type Cidr = [IpAddress, number];

/** The IPv6 networks that carry an IPv4 address, and where: each is judged by the IPv4 address it carries. */
const IPV4_CARRIERS: ReadonlyArray<{ name: string; network: Cidr; embedded: (parts: readonly number[]) => number[][] }> = [
  // The last 32 bits: IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d.
  { name: 'IPv4-mapped', network: ipaddr.parseCIDR('::ffff:0:0/96'), embedded: (parts) => [lastThirtyTwoBits(parts)] },
  { name: 'IPv4-translated', network: ipaddr.parseCIDR('::ffff:0:0:0/96'), embedded: (parts) => [lastThirtyTwoBits(parts)] },
  { name: 'NAT64', network: ipaddr.parseCIDR('64:ff9b::/96'), embedded: (parts) => [lastThirtyTwoBits(parts)] },
  { name: 'IPv4-compatible', network: ipaddr.parseCIDR('::/96'), embedded: (parts) => [lastThirtyTwoBits(parts)] },
  // 2002:AABB:CCDD::/48 routes to AA.BB.CC.DD.
  { name: '6to4', network: ipaddr.parseCIDR('2002::/16'), embedded: (parts) => [octets(parts[1], parts[2])] },
  // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC: the server in clear, the client's address inverted.
  {
    name: 'Teredo',
    network: ipaddr.parseCIDR('2001::/32'),
    embedded: (parts) => [octets(parts[2], parts[3]), octets(parts[6], parts[7]).map((octet) => octet ^ 0xff)],
  },
];

function octets(high = 0, low = 0): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

const lastThirtyTwoBits = (parts: readonly number[]): number[] => octets(parts[6], parts[7]);

/** The address in `text` (`10.0.0.1`, `::1`, `[::1]`), in dotted-quad or IPv6 form only, or `undefined`. */
export function parseIp(text: string): IpAddress | undefined {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(unbracketed)) return ipaddr.IPv4.parse(unbracketed);
  if (ipaddr.IPv6.isValid(unbracketed)) return ipaddr.IPv6.parse(unbracketed);
  return undefined;
}

/**
 * Parses `address/prefix`; a bare address is a network of one.
 * @example parseCidr('172.16.0.0/12') // [IPv4 172.16.0.0, 12]
 */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  if (!trimmed.includes('/')) {
    const address = parseIp(trimmed);
    return address && [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  const [network = ''] = trimmed.split('/');
  if (parseIp(network) === undefined || !ipaddr.isValidCIDR(trimmed)) return undefined;
  return ipaddr.parseCIDR(trimmed);
}

export function cidrContains([network, prefixLength]: Cidr, address: IpAddress): boolean {
  return address.kind() === network.kind() && address.match(network, prefixLength);
}

/**
 * Why the control plane must not reach `address` on someone else's behalf, or `undefined` for a public unicast
 * address. Every range but `unicast` of `ipaddr.js` is refused (loopback, private, link-local, carrier-grade NAT,
 * multicast, broadcast, benchmarking, documentation, reserved, unique local …), and IPv6 addresses that carry an
 * IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry.
 * @example
 * refusedRangeOf('169.254.169.254')         // 'linkLocal'
 * refusedRangeOf('2002:a9fe:a9fe::')        // 'linkLocal 169.254.169.254 carried by 6to4'
 * refusedRangeOf('64:ff9b::8.8.8.8')        // undefined
 */
export function refusedRangeOf(address: IpAddress): string | undefined {
  const range = address.range();
  // `::` and `::1` lie in the IPv4-compatible ::/96 but are named for themselves.
  if (range === 'unspecified' || range === 'loopback') return range;
  if (address instanceof ipaddr.IPv6) {
    const carrier = IPV4_CARRIERS.find((candidate) => cidrContains(candidate.network, address));
    if (carrier !== undefined) {
      const refusals = carrier
        .embedded(address.parts)
        .map((embedded) => new ipaddr.IPv4(embedded))
        .filter((ipv4) => ipv4.range() !== 'unicast');
      return refusals[0] && `${refusals[0].range()} ${refusals[0].toString()} carried by ${carrier.name}`;
    }
  }
  return range === 'unicast' ? undefined : range;
}

/** The IPv4 address an IPv4-mapped IPv6 address stands for (the same host reached through a dual stack), else itself. */
export function unmapped(address: IpAddress): IpAddress {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}
