import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './self-signed-certificate.js';

describe('selfSignedCertificate', () => {
  const issuedAt = new Date('2026-03-01T12:00:00.000Z');
  const { certificate, privateKey } = selfSignedCertificate(['127.0.0.1', 'localhost', '::1', 'fd00::a:1', 'localhost'], issuedAt);
  const parsed = new X509Certificate(certificate);

  it('is a CA signed by its own key, naming every host once', () => {
    expect(parsed.ca).toBe(true);
    expect(parsed.subject).toBe('CN=kube-sim');
    expect(parsed.issuer).toBe('CN=kube-sim');
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.checkPrivateKey(createPrivateKey(privateKey))).toBe(true);
    expect(parsed.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:A:1');
  });

  it('is valid from an hour before issue for a year', () => {
    expect(new Date(parsed.validFrom).toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(new Date(parsed.validTo).toISOString()).toBe('2027-03-01T12:00:00.000Z');
  });

  it('serves TLS that a client trusting only this certificate accepts', async () => {
    const { certificate: current, privateKey: key } = selfSignedCertificate(['127.0.0.1']);
    const server = createServer({ cert: current, key }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: current });
      const [data] = (await once(socket, 'data')) as [Buffer];
      expect(socket.authorized).toBe(true);
      expect(data.toString()).toBe('hello');
      socket.destroy();
    } finally {
      server.close();
    }
  });
});
