import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

/** `20150830T123600Z`: the `X-Amz-Date` form of a time. */
export function amzDate(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([left, leftValue], [right, rightValue]) => (left === right ? (leftValue < rightValue ? -1 : 1) : left < right ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * Signs a request with AWS Signature Version 4: returns its headers plus `Host`, `X-Amz-Date`,
 * `X-Amz-Security-Token` (for temporary credentials) and `Authorization`.
 * @example
 * signV4({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '' },
 *   { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
 *   'us-east-1', 'service', new Date('2015-08-30T12:36:00Z'))
 * // Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa3…'
 */
export function signV4(
  request: SignableRequest,
  credentials: AwsCredentials,
  region: string,
  service: string,
  time: Date,
): Record<string, string> {
  const url = new URL(request.url);
  const timestamp = amzDate(time);
  const day = timestamp.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, Host: url.host, 'X-Amz-Date': timestamp };
  if (credentials.sessionToken) headers['X-Amz-Security-Token'] = credentials.sessionToken;
  const canonicalHeaders = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([left], [right]) => (left < right ? -1 : 1));
  const signedHeaders = canonicalHeaders.map(([name]) => name).join(';');
  const canonicalRequest = [
    request.method,
    url.pathname || '/',
    canonicalQuery(url),
    canonicalHeaders.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', timestamp, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
