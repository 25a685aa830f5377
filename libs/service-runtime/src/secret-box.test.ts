import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './errors.js';
import { SecretBox, SecretEnvelopeError } from './secret-box.js';

const key = (): string => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  const [oldKey, newKey] = [`2026-11:${key()}`, `2026-12:${key()}`];

  it('opens what it sealed, and the ciphertext holds nothing of the value', () => {
    const box = SecretBox.parse(oldKey, 'NOTIFICATION_KEYS');
    const envelope = box.seal('xoxb-secret-token', 'org-1/');
    expect(envelope.keyId).toBe('2026-11');
    expect(JSON.stringify(envelope)).not.toContain('xoxb');
    expect(box.open(envelope, 'org-1/')).toBe('xoxb-secret-token');
    expect(box.seal('xoxb-secret-token', 'org-1/').nonce).not.toBe(envelope.nonce);
  });

  it('refuses an envelope moved to another row or altered', () => {
    const box = SecretBox.parse(oldKey, 'NOTIFICATION_KEYS');
    const envelope = box.seal('value', 'org-1/');
    expect(() => box.open(envelope, 'org-2/')).toThrow(SecretEnvelopeError);
    const flipped = Buffer.from(envelope.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open({ ...envelope, ciphertext: flipped.toString('base64') }, 'org-1/')).toThrow(/fails authentication/);
  });

  it('rotates: the new key seals, the old one still opens, and once dropped its envelopes are named', () => {
    const before = SecretBox.parse(oldKey, 'NOTIFICATION_KEYS');
    const during = SecretBox.parse(`${newKey}\n${oldKey}`, 'NOTIFICATION_KEYS');
    const after = SecretBox.parse(newKey, 'NOTIFICATION_KEYS');
    const sealedBefore = before.seal('value', 'row');
    expect(during.needsResealing(sealedBefore)).toBe(true);
    const resealed = during.seal(during.open(sealedBefore, 'row'), 'row');
    expect(during.needsResealing(resealed)).toBe(false);
    expect(after.open(resealed, 'row')).toBe('value');
    expect(() => after.open(sealedBefore, 'row')).toThrow('sealed with key "2026-11", which the key ring no longer holds');
  });

  it.each([
    ['', 'NOTIFICATION_KEYS holds no key'],
    ['nokey', 'entry 1 must be <id>:<base64 key>'],
    ['short:AAAA', 'key "short" must be 32 bytes in base64, not 3'],
    [`a:${key()},a:${key()}`, 'key ids must differ; a repeated'],
  ])('refuses the ring %j', (text, problem) => {
    const parse = () => SecretBox.parse(text, 'NOTIFICATION_KEYS');
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow(problem);
  });

  it('reads a mounted file before the environment variable, and neither means no ring', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys');
    writeFileSync(file, `# rotated 2026-12\n${newKey}\n${oldKey}\n`);
    expect(SecretBox.load({ keysFile: file, keys: oldKey })?.sealingKeyId).toBe('2026-12');
    expect(SecretBox.load({ keysFile: undefined, keys: oldKey })?.sealingKeyId).toBe('2026-11');
    expect(SecretBox.load({ keysFile: undefined, keys: undefined })).toBeUndefined();
    expect(() => SecretBox.load({ keysFile: `${file}.missing`, keys: undefined })).toThrow(/NOTIFICATION_KEYS_FILE .* \(ENOENT\)/);
  });
});
