import { isIPv4, isIPv6 } from 'node:net';

/** An IP network such as `10.0.0.0/8` or `fc00::/7`. */
export interface Cidr {
  family: 4 | 6;
  network: bigint;
  prefixLength: number;
}

export interface NamedRange {
  name: string;
  cidr: Cidr;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((total, octet) => (total << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  const zoneless = address.split('%')[0] ?? address;
  let text = zoneless;
  const embeddedIpv4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embeddedIpv4?.[1] !== undefined) {
    const value = ipv4ToBigInt(embeddedIpv4[1]);
    text = `${text.slice(0, embeddedIpv4.index)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((total, group) => (total << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** The family and numeric value of an IP literal, or `undefined` when the text is not one. */
export function parseIp(address: string): { family: 4 | 6; value: bigint } | undefined {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(unbracketed)) return { family: 4, value: ipv4ToBigInt(unbracketed) };
  if (isIPv6(unbracketed)) return { family: 6, value: ipv6ToBigInt(unbracketed) };
  return undefined;
}

/**
 * Parses `address/prefix`; a bare address is a network of one.
 * @example parseCidr('172.16.0.0/12') // { family: 4, network: 2886729728n, prefixLength: 12 }
 */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefix] = text.trim().split('/');
  const ip = parseIp(address);
  if (!ip) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  const prefixLength = prefix === undefined ? width : Number(prefix);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > width || (prefix !== undefined && !/^\d+$/.test(prefix))) return undefined;
  return { family: ip.family, network: ip.value >> BigInt(width - prefixLength), prefixLength };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseIp(address);
  if (!ip || ip.family !== cidr.family) return false;
  const width = ip.family === 4 ? 32 : 128;
  return ip.value >> BigInt(width - cidr.prefixLength) === cidr.network;
}

function range(name: string, cidr: string): NamedRange {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`invalid built-in range ${cidr}`);
  return { name: `${name} ${cidr}`, cidr: parsed };
}

/** Addresses the control plane must not reach on a template author's behalf unless explicitly allowed. */
export const REFUSED_RANGES: readonly NamedRange[] = [
  range('unspecified', '0.0.0.0/8'),
  range('loopback', '127.0.0.0/8'),
  range('private', '10.0.0.0/8'),
  range('private', '172.16.0.0/12'),
  range('private', '192.168.0.0/16'),
  range('link-local', '169.254.0.0/16'),
  range('carrier-grade NAT', '100.64.0.0/10'),
  range('unspecified', '::/128'),
  range('loopback', '::1/128'),
  range('unique local', 'fc00::/7'),
  range('link-local', 'fe80::/10'),
];

const IPV4_MAPPED = range('IPv4-mapped', '::ffff:0:0/96');

/**
 * The refused range an address falls in, or `undefined` when it may be reached. IPv4-mapped IPv6
 * addresses are judged by the IPv4 address they carry.
 * @example refusedRangeOf('169.254.169.254') // 'link-local 169.254.0.0/16'
 */
export function refusedRangeOf(address: string): string | undefined {
  const ip = parseIp(address);
  if (ip?.family === 6 && cidrContains(IPV4_MAPPED.cidr, address)) {
    const mapped = ip.value & 0xffffffffn;
    return refusedRangeOf([24n, 16n, 8n, 0n].map((shift) => String((mapped >> shift) & 0xffn)).join('.'));
  }
  return REFUSED_RANGES.find((candidate) => cidrContains(candidate.cidr, address))?.name;
}
