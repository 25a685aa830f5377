import { lookup } from 'node:dns/promises';
import { AddressRefusedError } from '../errors.js';
import { cidrContains, parseCidr, parseIp, refusedRangeOf, type Cidr } from './ip-ranges.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Which hosts requests made centrally by the control plane may reach. Loopback, private, link-local
 * (cloud metadata included), unspecified and carrier-grade NAT addresses are refused unless allowed here.
 */
export interface AddressPolicy {
  /** CIDRs (`10.20.0.0/16`, `fd00::/8`), host names (`prometheus.internal`) and wildcards (`*.svc.cluster.local`). */
  allow?: readonly string[];
  /** Resolves a host name to every address it has; defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
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
    if (this.hostAllowed(host) || this.cidrs.some((cidr) => cidrContains(cidr, address))) return;
    const refused = refusedRangeOf(address);
    if (refused !== undefined) throw new AddressRefusedError(host, address, refused);
  }

  /**
   * Every address of `hostname` once all of them passed the policy: a name with one refused address is
   * refused as a whole, so that a connection cannot land on it whichever address is tried.
   */
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const literal = parseIp(hostname);
    const unbracketed = hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = literal ? [{ address: unbracketed, family: literal.family }] : await this.resolver(hostname);
    for (const { address } of addresses) this.checkAddress(hostname, address);
    return addresses;
  }

  private hostAllowed(host: string): boolean {
    const name = host.toLowerCase();
    return this.hostnames.some((allowed) => (allowed.startsWith('*.') ? name.endsWith(allowed.slice(1)) : allowed === name));
  }
}
