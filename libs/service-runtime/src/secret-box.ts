import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './errors.js';

/** A value encrypted with AES-256-GCM, as stored: which key, the nonce, the ciphertext and the tag (base64). */
export interface SecretEnvelope {
  keyId: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

interface SecretKey {
  id: string;
  key: Buffer;
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const KEY_ID = /^[\w.-]{1,64}$/;

/** Why an envelope cannot be opened: its key is not in the ring, or it was altered or moved to another row. */
export class SecretEnvelopeError extends Error {
  constructor(
    message: string,
    readonly keyId: string,
  ) {
    super(message);
    this.name = 'SecretEnvelopeError';
  }
}

/**
 * Encrypts secret values at rest with AES-256-GCM under a key ring: the first key seals, every key opens, so that
 * a key is rotated by putting a new one first, re-sealing what the old one sealed, then dropping the old one.
 * `context` is authenticated with the value (the row it belongs to): an envelope copied elsewhere does not open.
 *
 * @example
 * const box = SecretBox.parse('2026-12:' + randomBytes(32).toString('base64'), 'NOTIFICATION_KEYS');
 * box.open(box.seal('xoxb-…', 'org/placement'), 'org/placement') === 'xoxb-…'
 */
export class SecretBox {
  private readonly byId: ReadonlyMap<string, Buffer>;

  private constructor(private readonly keys: readonly SecretKey[]) {
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /**
   * A ring from `<id>:<base64 of 32 bytes>` entries, one per line or comma-separated, the sealing key first.
   * `source` names where the text came from in errors; the keys themselves never appear in one.
   */
  static parse(text: string, source: string): SecretBox {
    const entries = text
      .split(/[\n,]/)
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '' && !entry.startsWith('#'));
    const problems: string[] = [];
    const keys = entries.flatMap((entry, index): SecretKey[] => {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, Math.max(separator, 0));
      const key = Buffer.from(entry.slice(separator + 1), 'base64');
      if (separator < 0 || !KEY_ID.test(id))
        problems.push(`${source}: entry ${index + 1} must be <id>:<base64 key>, the id of letters, digits, ".", "_" or "-"`);
      else if (key.length !== KEY_BYTES) problems.push(`${source}: key "${id}" must be ${KEY_BYTES} bytes in base64, not ${key.length}`);
      else return [{ id, key }];
      return [];
    });
    const ids = keys.map((key) => key.id);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    if (repeated.length > 0) problems.push(`${source}: key ids must differ; ${[...new Set(repeated)].join(', ')} repeated`);
    if (entries.length === 0) problems.push(`${source} holds no key`);
    if (problems.length > 0) throw new ConfigurationError(problems);
    return new SecretBox(keys);
  }

  /**
   * The ring of a mounted file (NOTIFICATION_KEYS_FILE) or, without one, of an environment variable's text
   * (NOTIFICATION_KEYS); none when neither is set.
   */
  static load(settings: { keysFile: string | undefined; keys: string | undefined }): SecretBox | undefined {
    const { keysFile, keys } = settings;
    if (keysFile) {
      let text: string;
      try {
        text = readFileSync(keysFile, 'utf8');
      } catch (error) {
        const cause = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
        throw new ConfigurationError([`NOTIFICATION_KEYS_FILE ${keysFile} cannot be read (${cause})`]);
      }
      return SecretBox.parse(text, `NOTIFICATION_KEYS_FILE ${keysFile}`);
    }
    return keys ? SecretBox.parse(keys, 'NOTIFICATION_KEYS') : undefined;
  }

  /** The ids of the ring's keys, the sealing one first. */
  get keyIds(): readonly string[] {
    return this.keys.map(({ id }) => id);
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    // parse() refuses an empty ring.
    return this.keys[0]!.id;
  }

  seal(plaintext: string, context: string): SecretEnvelope {
    const { id, key } = this.keys[0]!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: id,
      nonce: nonce.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  open(envelope: SecretEnvelope, context: string): string {
    const key = this.byId.get(envelope.keyId);
    if (!key) throw new SecretEnvelopeError(`sealed with key "${envelope.keyId}", which the key ring no longer holds`, envelope.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.nonce, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretEnvelopeError(
        `sealed value of key "${envelope.keyId}" fails authentication: altered, or not of this row`,
        envelope.keyId,
      );
    }
  }

  /** Whether an envelope should be sealed again: it is under a key other than the sealing one. */
  needsResealing(envelope: Pick<SecretEnvelope, 'keyId'>): boolean {
    return envelope.keyId !== this.sealingKeyId;
  }
}
