import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { IPv4Address, IPv4ProxyAddress, Command, TransportProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../../libs/service-runtime/src/logger.js';
import { clientAddressOf, compileProxyTrust } from './client-address.js';
import { acceptProxyProtocol, parseProxyHeader } from './proxy-protocol.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An HTTP server behind `acceptProxyProtocol` that answers every request with the client address it sees. */
async function serverTrusting(trusted: string[]): Promise<number> {
  const trust = compileProxyTrust(trusted);
  server = createServer((request, response) => response.end(clientAddressOf(request, trust)));
  acceptProxyProtocol(server, trust, createLogger('proxy-protocol-test', 'silent'));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends raw bytes and returns everything answered until the server closes. */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(bytes);
  });
}

const request = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.9\r\nConnection: close\r\n\r\n');
const v2Header = Buffer.from(
  new V2ProxyProtocol(
    Command.PROXY,
    TransportProtocol.STREAM,
    new IPv4ProxyAddress(IPv4Address.createFrom([203, 0, 113, 8]), 51234, IPv4Address.createFrom([10, 0, 0, 1]), 443),
  ).build(),
);

describe('acceptProxyProtocol', () => {
  it.each([
    ['a v1 header', Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\n'), '203.0.113.7'],
    ['a v2 header', v2Header, '203.0.113.8'],
    ['a v1 header of a proxy health check', Buffer.from('PROXY UNKNOWN\r\n'), '192.0.2.9'],
  ])('takes the client address from %s of a trusted proxy', async (_title, header, expected) => {
    const port = await serverTrusting(['127.0.0.1']);
    expect(await exchange(port, Buffer.concat([header, request]))).toMatch(
      new RegExp(`^HTTP/1.1 200 [\\s\\S]*\\r\\n\\r\\n${expected.replaceAll('.', '\\.')}$`),
    );
  });

  it('closes a connection from a trusted proxy without a header, unanswered', async () => {
    const port = await serverTrusting(['127.0.0.1']);
    expect(await exchange(port, request)).toBe('');
  });

  it('never reads a header from a peer that is not trusted', async () => {
    const port = await serverTrusting([]);
    expect(await exchange(port, Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\n'), request]))).toMatch(
      /^HTTP\/1.1 400 /,
    );
  });
});

describe('parseProxyHeader', () => {
  it.each([
    ['a partial v1 header', 'PROXY TCP4 203.0.113.7'],
    ['a partial v2 signature', '\r\n\r\n\u0000'],
  ])('waits for more of %s', (_title, text) => {
    expect(parseProxyHeader(Buffer.from(text, 'latin1'))).toBeUndefined();
  });

  it.each([
    ['HTTP instead of a header', 'GET / HTTP/1.1\r\n'],
    ['a v1 line over 107 bytes', `PROXY TCP4 ${'1'.repeat(120)}`],
    ['a v1 line with a bad address', 'PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n'],
  ])('refuses %s', (_title, text) => {
    expect(() => parseProxyHeader(Buffer.from(text, 'latin1'))).toThrow();
  });
});
