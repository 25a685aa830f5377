import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  /** When each distinct body arrived (ms since the epoch), first arrival only. */
  received: Map<string, number>;
  /** Requests whose body had arrived before. */
  readonly duplicates: number;
  close(): Promise<void>;
}

/** A local webhook receiver that answers 200 `answerMs` after each request's body has arrived. */
export async function startWebhookReceiver(answerMs: number): Promise<WebhookReceiver> {
  const received = new Map<string, number>();
  let duplicates = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (received.has(body)) duplicates += 1;
      else received.set(body, Date.now());
      setTimeout(() => response.writeHead(200).end(), answerMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    get duplicates() {
      return duplicates;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
