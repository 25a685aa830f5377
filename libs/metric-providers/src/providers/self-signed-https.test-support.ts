import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An HTTPS server on 127.0.0.1 whose certificate no authority signed: answers every request with one JSON body. */
export interface SelfSignedHttpsServer {
  url: string;
  /** Paths of the requests that got through the TLS handshake, in order. */
  requestPaths: string[];
  close(): Promise<void>;
}

/** A certificate for 127.0.0.1 signed by its own key, made with the openssl CLI since node:crypto cannot issue X.509 certificates. */
function selfSignedCertificate(): { key: string; cert: string } {
  const directory = mkdtempSync(join(tmpdir(), 'flotilla-tls-'));
  const keyPath = join(directory, 'key.pem');
  const certPath = join(directory, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function startSelfSignedHttpsServer(jsonBody: string): Promise<SelfSignedHttpsServer> {
  const requestPaths: string[] = [];
  const server = createServer(selfSignedCertificate(), (request, response) => {
    requestPaths.push(new URL(request.url ?? '/', 'https://backend').pathname);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(jsonBody);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requestPaths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
