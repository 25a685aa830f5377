import { AGENT_PATH } from '@flotilla/protocol';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** What the control plane sent an agent, decoded loosely: tests look at types, error codes and messages. */
export interface AgentSessionMessage {
  type: string;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
}

/** An agent's WebSocket to the API, opened with its token, recording every message the API sends on it. */
export interface AgentSession {
  socket: WebSocket;
  /** The TCP connection under `socket`, to stop reading from it. */
  connection: Socket;
  messages: AgentSessionMessage[];
  /** Resolves with the close code once the connection ends. */
  closed: Promise<number>;
}

export async function openAgentSession(apiUrl: string, token: string): Promise<AgentSession> {
  const socket = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}${AGENT_PATH}`, { headers: { authorization: `Bearer ${token}` } });
  const messages: AgentSessionMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString()) as AgentSessionMessage));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const upgraded = new Promise<Socket>((resolve) => socket.once('upgrade', (response) => resolve(response.socket)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, connection: await upgraded, messages, closed };
}
