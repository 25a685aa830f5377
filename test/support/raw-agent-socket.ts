import { AGENT_PATH } from '@flotilla/protocol';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A TCP connection to the agent endpoint driven byte by byte, as an attacker (or a broken proxy) would. */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): Buffer;
  /** Resolves once the server has closed or reset the connection. */
  ended: Promise<void>;
}

export function openRaw(apiUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(apiUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks), ended }));
    socket.once('error', reject);
  });
}

/** The head of a WebSocket upgrade request to `target` (the agent endpoint unless given), with the given extra header lines. */
export function upgradeRequest(headers: Record<string, string> = {}, target = AGENT_PATH): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    'Host: flotilla',
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends an upgrade request and waits for the status line of the answer (or the end of the connection: 0). */
export async function rawUpgrade(apiUrl: string, headers: Record<string, string> = {}): Promise<RawConnection & { status: number }> {
  const connection = await openRaw(apiUrl);
  connection.socket.write(upgradeRequest(headers));
  const status = await new Promise<number>((resolve) => {
    const check = (): void => {
      const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n[\s\S]*?\r\n\r\n/.exec(connection.received().toString('latin1'));
      if (match) resolve(Number(match[1]));
    };
    connection.socket.on('data', check);
    void connection.ended.then(() => resolve(0));
    check();
  });
  return { ...connection, status };
}

/** A client frame (masked, as clients must) with the given first byte: FIN, reserved bits and opcode. */
export function clientFrame(firstByte: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : payload.length < 65_536
        ? Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | 127]), bigEndian64(payload.length)]);
  return Buffer.concat([Buffer.from([firstByte]), length, mask, masked]);
}

/** A text frame's header announcing `length` bytes, without the bytes. */
export function announcedTextFrame(length: number): Buffer {
  return Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(length), randomBytes(4)]);
}

function bigEndian64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(value));
  return buffer;
}
