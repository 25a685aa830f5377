import { selfSignedCertificate } from '@flotilla/kube-sim';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** An HTTPS server on 127.0.0.1 whose certificate no authority signed: answers every request with one JSON body. */
export interface SelfSignedHttpsServer {
  url: string;
  /** Paths of the requests that got through the TLS handshake, in order. */
  requestPaths: string[];
  close(): Promise<void>;
}

export async function startSelfSignedHttpsServer(jsonBody: string): Promise<SelfSignedHttpsServer> {
  const requestPaths: string[] = [];
  const { certificate, privateKey } = selfSignedCertificate(['127.0.0.1']);
  const server = createServer({ cert: certificate, key: privateKey }, (request, response) => {
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
