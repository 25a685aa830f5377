import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  // As behind a TLS-terminating proxy on this host: X-Forwarded-Proto is believed from loopback only.
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.get('/', (_request, response) => {
    response.send('ok');
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('securityHeaders', () => {
  it('sends HSTS only for a request that came over TLS', async () => {
    const plain = await fetch(url);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const secure = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('sends the content security policy whatever the scheme', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      const response = await fetch(url, { headers });
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});
