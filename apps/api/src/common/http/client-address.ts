import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from 'proxy-addr';

/** Whether a TCP peer is one of the configured proxies, as `proxy-addr` (and so Express) decides it. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * Whether `entry` may stand in `TRUSTED_PROXIES`: an IP address, a CIDR range, or one of proxy-addr's names
 * (`loopback`, `linklocal`, `uniquelocal`).
 * @example isAddressOrRange('10.0.0.0/8') // true
 *          isAddressOrRange('lb.internal') // false
 */
export function isAddressOrRange(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}

/** Compiles `TRUSTED_PROXIES`; an empty list trusts nobody. */
export const compileProxyTrust = (trustedProxies: readonly string[]): ProxyTrust => proxyAddr.compile([...trustedProxies]);

const addressesFromProxyProtocol = new WeakMap<Socket, string>();

/** Records the client address a trusted proxy gave in the PROXY protocol header of this connection. */
export function rememberProxiedAddress(socket: Socket, address: string): void {
  addressesFromProxyProtocol.set(socket, address);
}

/**
 * The address of the client behind a request. The PROXY protocol header of the connection, when a trusted proxy
 * sent one, names it; otherwise `X-Forwarded-For` is read from the right, hop by hop, for as long as the hop it came
 * through is trusted. A peer that is not trusted is the client, whatever its headers say.
 * @example with trust of 10.0.0.1: a request from 10.0.0.1 with `X-Forwarded-For: 203.0.113.7` → '203.0.113.7';
 *          the same request from 198.51.100.2 → '198.51.100.2'
 */
export function clientAddressOf(request: IncomingMessage, trust: ProxyTrust): string {
  return addressesFromProxyProtocol.get(request.socket) ?? proxyAddr(request, trust);
}
