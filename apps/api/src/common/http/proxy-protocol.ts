import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import { IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import type { Logger } from '@flotilla/service-runtime';
import { rememberProxiedAddress, type ProxyTrust } from './client-address.js';

const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX_BYTES = 107;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_HEADER_BYTES = 16;
const V2_MAX_BYTES = 4096;

/** A complete header: the client it names (undefined for a proxy's own health check) and the bytes after it. */
interface ProxyHeader {
  clientAddress: string | undefined;
  rest: Buffer;
}

/**
 * Reads a PROXY protocol v1 or v2 header from the start of `received`: undefined while more bytes are needed; an
 * error when the bytes cannot start one.
 * @example parseProxyHeader(Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51234 443\r\nGET /')) // { clientAddress: '203.0.113.7', rest: 'GET /' }
 */
export function parseProxyHeader(received: Buffer): ProxyHeader | undefined {
  const signature = received.subarray(0, V2_SIGNATURE.length);
  if (V2_SIGNATURE.subarray(0, signature.length).equals(signature)) {
    if (received.length < V2_HEADER_BYTES) return undefined;
    const total = V2_HEADER_BYTES + received.readUInt16BE(14);
    if (total > V2_MAX_BYTES) throw new Error('PROXY protocol v2 header too long');
    if (received.length < total) return undefined;
    const address = V2ProxyProtocol.parse(new Uint8Array(received.subarray(0, total))).proxyAddress;
    const clientAddress =
      address instanceof IPv4ProxyAddress || address instanceof IPv6ProxyAddress
        ? ipaddr.fromByteArray([...address.sourceAddress.address]).toString()
        : undefined;
    return { clientAddress, rest: received.subarray(total) };
  }
  const prefix = received.subarray(0, V1_PREFIX.length);
  if (!V1_PREFIX.subarray(0, prefix.length).equals(prefix)) throw new Error('no PROXY protocol header');
  const end = received.indexOf('\r\n');
  if (end === -1) {
    if (received.length >= V1_MAX_BYTES) throw new Error('PROXY protocol v1 header too long');
    return undefined;
  }
  const line = received.subarray(0, end + 2).toString('latin1');
  const clientAddress = line.startsWith('PROXY UNKNOWN') ? undefined : V1ProxyProtocol.parse(line).source.ipAddress;
  if (clientAddress !== undefined && !ipaddr.isValid(clientAddress)) throw new Error('PROXY protocol v1 header names no IP address');
  return { clientAddress, rest: received.subarray(end + 2) };
}

function readProxyHeader(socket: Socket): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (outcome: () => void): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', reject);
      socket.pause();
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      try {
        const header = parseProxyHeader(received);
        if (header) finish(() => resolve(header));
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    };
    const onEnd = (): void => finish(() => reject(new Error('connection ended before its PROXY protocol header')));
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', reject);
  });
}

/**
 * Makes every connection from a trusted proxy start with a PROXY protocol header, read before HTTP sees the
 * connection; the client it names becomes the connection's client address. A connection from a trusted proxy
 * without a valid header is closed; connections from other peers go straight to HTTP, never read for one.
 */
export function acceptProxyProtocol(server: Server, trust: ProxyTrust, logger: Logger): void {
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOver = (socket: Socket): void => {
    for (const listener of httpListeners) listener.call(server, socket);
  };
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    if (!trust(peer, 0)) {
      handOver(socket);
      return;
    }
    readProxyHeader(socket).then(
      ({ clientAddress, rest }) => {
        if (clientAddress !== undefined) rememberProxiedAddress(socket, clientAddress);
        socket.unshift(rest);
        handOver(socket);
        socket.resume();
      },
      (error: unknown) => {
        logger.warn({ err: error, peer }, 'connection from a trusted proxy without a valid PROXY protocol header');
        socket.destroy();
      },
    );
  });
}
