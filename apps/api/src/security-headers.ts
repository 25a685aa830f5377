import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { strictTransportSecurity } from 'helmet';

/**
 * The Content-Security-Policy of every response. The API token lives in the browser's localStorage (dashboard and
 * GraphiQL), so no script may run but the files this server serves: no inline script, no `eval`, nothing from
 * another origin, and no page may frame ours.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // No 'unsafe-inline': React, and GraphiQL's CodeMirror, set styles through the CSSOM (`element.style`), which a
  // policy does not govern; the browser tests watch for any style they refuse.
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  // 'self' takes in ws: and wss: of the same host and port (CSP Level 3), where subscriptions run.
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // helmet's default would send pages over plain HTTP (the local demo) to https:// addresses nobody serves.
  upgradeInsecureRequests: null,
};

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * The browser security headers of every response: the policy above, `nosniff`, no referrer, no framing, and HSTS
 * when the request came over TLS (`request.secure`, which believes `X-Forwarded-Proto` from trusted proxies only).
 */
export function securityHeaders(): RequestHandler[] {
  const hsts = strictTransportSecurity({ maxAge: ONE_YEAR_SECONDS, includeSubDomains: false });
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    }),
    (request: Request, response: Response, next: NextFunction) => (request.secure ? hsts(request, response, next) : next()),
  ];
}
