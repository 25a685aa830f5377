import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate that is its own certificate authority, with its private key; both PEM. */
export interface SelfSignedCertificate {
  certificate: string;
  privateKey: string;
}

const HOUR_MS = 3_600_000;
const VALIDITY_MS = 365 * 24 * HOUR_MS;

/**
 * An ECDSA P-256 certificate for serving TLS on `hosts` (IP addresses and DNS names), valid from an hour ago for a
 * year. It is a CA, so clients can trust it directly (e.g. as a kubeconfig's `certificate-authority-data`). Node can
 * parse X.509 but not issue it, so the certificate is encoded here in DER.
 * @example selfSignedCertificate(['127.0.0.1', 'localhost']).certificate // '-----BEGIN CERTIFICATE-----\n…'
 */
export function selfSignedCertificate(hosts: readonly string[], now = new Date()): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(objectIdentifier(OID.commonName), utf8String('kube-sim'))));
  const toBeSigned = sequence(
    contextTag(0, integer(Buffer.from([2]))),
    integer(positiveSerial()),
    ECDSA_WITH_SHA256,
    name,
    sequence(utcTime(new Date(now.getTime() - HOUR_MS)), utcTime(new Date(now.getTime() + VALIDITY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    contextTag(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence(BOOLEAN_TRUE)),
        extension(OID.keyUsage, true, KEY_USAGE_SIGNATURE_AND_CERTIFICATE_SIGNING),
        extension(OID.subjectAltName, false, sequence(...[...new Set(hosts)].map(generalName))),
      ),
    ),
  );
  const certificate = sequence(toBeSigned, ECDSA_WITH_SHA256, bitString(sign('sha256', toBeSigned, privateKey)));
  return { certificate: pem('CERTIFICATE', certificate), privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
} as const;

const ECDSA_WITH_SHA256 = sequence(objectIdentifier(OID.ecdsaWithSha256));
const BOOLEAN_TRUE = tlv(0x01, Buffer.from([0xff]));
// digitalSignature (bit 0) and keyCertSign (bit 5): the six leading bits of 0b10000100, two unused.
const KEY_USAGE_SIGNATURE_AND_CERTIFICATE_SIGNING = tlv(0x03, Buffer.from([2, 0b1000_0100]));

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [BOOLEAN_TRUE] : []), tlv(0x04, value));
}

/** A subjectAltName entry: iPAddress [7] for addresses, dNSName [2] for names. */
function generalName(host: string): Buffer {
  const version = isIP(host);
  if (version === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
  if (version === 6) return tlv(0x87, ipv6Bytes(host));
  return tlv(0x82, Buffer.from(host, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head = [], tail] = address.split('::').map((part) => (part === '' ? [] : part.split(':')));
  const groups = tail === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return Buffer.concat(groups.map((group) => Buffer.from(group.padStart(4, '0'), 'hex')));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// DER: each value is tag, length, contents.

function tlv(tag: number, contents: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(contents.length), contents]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function contextTag(number: number, content: Buffer): Buffer {
  return tlv(0xa0 | number, content);
}

/** A non-negative INTEGER from its big-endian bytes. */
/** 16 random bytes as a positive serial number whose first byte is not zero, so that its DER form is minimal. */
function positiveSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return bytes;
}

function integer(bytes: Buffer): Buffer {
  const needsSignByte = ((bytes[0] ?? 0) & 0x80) !== 0;
  return tlv(0x02, needsSignByte ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/** UTCTime, `YYMMDDHHMMSSZ` (certificates use it for dates before 2050). */
function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${text}Z`, 'ascii'));
}

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const base128 = (value: number): number[] => {
    const bytes = [value & 0x7f];
    for (let remaining = value >> 7; remaining > 0; remaining >>= 7) bytes.unshift(0x80 | (remaining & 0x7f));
    return bytes;
  };
  return tlv(0x06, Buffer.from([first * 40 + second, ...rest.flatMap(base128)]));
}
