import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers a connection that is not (or not yet) a WebSocket with a bare HTTP status, then closes it. */
export function refuseConnection(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Bounds what an unauthenticated client can hold: every connection must send a complete request head within the
 * handshake timeout, and an agent upgrade must also be authenticated within it; one client address may have only
 * so many agent upgrades being authenticated at once.
 */
export class HandshakeGuard {
  private readonly deadlines = new WeakMap<Duplex, NodeJS.Timeout>();
  private readonly pendingByAddress = new Map<string, number>();

  constructor(
    private readonly timeoutMs: number,
    private readonly maxPendingPerAddress: number,
  ) {}

  /** Starts the clock of a connection; one that has not been let through when it runs out is answered and closed. */
  arm(socket: Duplex, status: 408 | 503): void {
    this.disarm(socket);
    const deadline = setTimeout(() => refuseConnection(socket, status, 'handshake timed out'), this.timeoutMs);
    deadline.unref();
    this.deadlines.set(socket, deadline);
    socket.once('close', () => this.disarm(socket));
  }

  disarm(socket: Duplex): void {
    clearTimeout(this.deadlines.get(socket));
    this.deadlines.delete(socket);
  }

  /** Counts a handshake of `address` as pending; false when the address has as many as it may. */
  enter(address: string): boolean {
    const pending = this.pendingByAddress.get(address) ?? 0;
    if (pending >= this.maxPendingPerAddress) return false;
    this.pendingByAddress.set(address, pending + 1);
    return true;
  }

  leave(address: string): void {
    const pending = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (pending > 0) this.pendingByAddress.set(address, pending);
    else this.pendingByAddress.delete(address);
  }
}
