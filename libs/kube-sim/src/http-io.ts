import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, KubeApiError } from './api-errors.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the request body as text; refuses bodies above the API server's 3 MiB limit. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= MAX_BODY_BYTES) return;
      request.off('data', onData);
      request.resume();
      reject(new KubeApiError(413, 'BadRequest', 'Request entity too large: limit is 3145728'));
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Parses a JSON body; an empty body is `undefined`. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`the body of the request is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  sendJsonText(response, statusCode, JSON.stringify(body));
}

/** Sends a body that is JSON text already. */
export function sendJsonText(response: ServerResponse, statusCode: number, text: string): void {
  response.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: KubeApiError): void {
  sendJson(response, error.code, error.status);
}
