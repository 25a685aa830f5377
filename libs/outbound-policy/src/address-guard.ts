import { lookup } from 'node:dns/promises';
import { cidrContains, parseCidr, parseIp, refusedRangeOf, unmapped, type Cidr } from './address-ranges.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Which hosts requests made centrally by the control plane (metric queries, webhooks) may reach. Only public unicast
 * addresses are reached unless allowed here: loopback, private, link-local (cloud metadata included), carrier-grade
 * NAT, multicast, broadcast, reserved and every IPv6 form that carries one of them are refused.
 */
export interface AddressPolicy {
  /** CIDRs (`10.20.0.0/16`, `fd00::/8`), addresses, host names (`prometheus.internal`) and wildcards (`*.svc.cluster.local`). */
  allow?: readonly string[];
  /** Resolves a host name to every address it has; defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** A host the address policy does not let the control plane reach. */
export class AddressRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} resolves to ${address} (${range}), which the address policy refuses`);
    this.name = 'AddressRefusedError';
  }
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const addresses = await lookup(hostname, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** Applies an address policy: resolves host names and refuses any that reach a refused address. */
export class AddressGuard {
  private readonly cidrs: Cidr[];
  private readonly hostnames: string[];
  private readonly resolver: (hostname: string) => Promise<ResolvedAddress[]>;

  constructor(policy: AddressPolicy = {}) {
    const allow = policy.allow ?? [];
    this.cidrs = allow.map((entry) => parseCidr(entry)).filter((cidr): cidr is Cidr => cidr !== undefined);
    this.hostnames = allow.filter((entry) => parseCidr(entry) === undefined).map((entry) => entry.toLowerCase());
    this.resolver = policy.resolve ?? systemResolve;
  }

  /** Throws `AddressRefusedError` when `address` (reached through `host`) is refused. */
  checkAddress(host: string, address: string): void {
    if (this.hostAllowed(host)) return;
    const parsed = parseIp(address);
    if (parsed === undefined) throw new AddressRefusedError(host, address, 'not an IP address');
    const reached = unmapped(parsed);
    if (this.cidrs.some((cidr) => cidrContains(cidr, reached))) return;
    const refused = refusedRangeOf(parsed);
    if (refused !== undefined) throw new AddressRefusedError(host, address, refused);
  }

  /**
   * Every address of `hostname` once all of them passed the policy: a name with one refused address is
   * refused as a whole, so that a connection cannot land on it whichever address is tried.
   */
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const literal = parseIp(hostname);
    const unbracketed = hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = literal
      ? [{ address: unbracketed, family: literal.kind() === 'ipv4' ? (4 as const) : (6 as const) }]
      : await this.resolver(hostname);
    for (const { address } of addresses) this.checkAddress(hostname, address);
    return addresses;
  }

  private hostAllowed(host: string): boolean {
    const name = host.toLowerCase();
    return this.hostnames.some((allowed) => (allowed.startsWith('*.') ? name.endsWith(allowed.slice(1)) : allowed === name));
  }
}
