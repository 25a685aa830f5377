import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, compileProxyTrust, isAddressOrRange, rememberProxiedAddress } from './client-address.js';

function requestFrom(peer: string, forwardedFor?: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: peer });
  return {
    socket,
    connection: socket,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('clientAddressOf', () => {
  it.each<[string, string[], string, string | undefined, string]>([
    ['trusts nobody by default', [], '10.0.0.1', '203.0.113.7', '10.0.0.1'],
    ['reads X-Forwarded-For through a trusted proxy', ['10.0.0.1'], '10.0.0.1', '203.0.113.7', '203.0.113.7'],
    ['trusts a CIDR range', ['10.0.0.0/8'], '10.1.2.3', '203.0.113.7', '203.0.113.7'],
    ['ignores the header of a peer that is not trusted', ['10.0.0.1'], '198.51.100.2', '203.0.113.7', '198.51.100.2'],
    ['stops at the first hop that is not trusted', ['10.0.0.1'], '10.0.0.1', '203.0.113.7, 198.51.100.9', '198.51.100.9'],
    ['walks trusted hops from the right', ['10.0.0.0/8'], '10.0.0.1', '203.0.113.7, 10.0.0.2', '203.0.113.7'],
    ['takes the peer when a trusted proxy sends no header', ['10.0.0.1'], '10.0.0.1', undefined, '10.0.0.1'],
  ])('%s', (_title, trusted, peer, forwardedFor, expected) => {
    expect(clientAddressOf(requestFrom(peer, forwardedFor), compileProxyTrust(trusted))).toBe(expected);
  });

  it('takes the address a PROXY protocol header gave over any X-Forwarded-For', () => {
    const request = requestFrom('10.0.0.1', '192.0.2.1');
    rememberProxiedAddress(request.socket, '203.0.113.7');
    expect(clientAddressOf(request, compileProxyTrust(['10.0.0.1']))).toBe('203.0.113.7');
  });
});

describe('isAddressOrRange', () => {
  it.each([
    ['10.0.0.1', true],
    ['10.0.0.0/8', true],
    ['::1', true],
    ['fd00::/8', true],
    ['loopback', true],
    ['lb.internal', false],
    ['10.0.0.0/33', false],
  ])('%s → %s', (entry, expected) => {
    expect(isAddressOrRange(entry)).toBe(expected);
  });
});
