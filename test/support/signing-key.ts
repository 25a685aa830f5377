import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh private key of `type` as a PEM PKCS#8 file, like a mounted secret. */
export function writeSigningKeyFile(type: 'ed25519' | 'rsa' = 'ed25519'): string {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : generateKeyPairSync('ed25519');
  const path = join(mkdtempSync(join(tmpdir(), 'flotilla-audit-key-')), 'audit-signing-key.pem');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}
