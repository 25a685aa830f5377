import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretLookup } from '@flotilla/metric-providers';

/** A mounted Secret is re-read at most this often, so that a rotated credential is taken up without a restart. */
const REREAD_MS = 10_000;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type SecretData = Record<string, string>;

/** A lookup for one measurement, and every credential value it handed out, to be redacted from the outcome. */
export interface CredentialSession {
  lookup: SecretLookup;
  revealed: string[];
}

/**
 * Provider credentials for measurements taken by the control plane (`datadog`, `newrelic`, `cloudwatch`, …),
 * read from Secrets mounted as volumes under one directory, as Kubernetes mounts them: `<directory>/<secret>/<key>`,
 * one file per key. This is the control plane's counterpart of the Secrets an agent reads from its own namespace;
 * the values stay in memory and never reach Postgres.
 */
export class MountedCredentials {
  private readonly cache = new Map<string, { data: SecretData | undefined; readAt: number }>();

  constructor(private readonly directory: string | undefined) {}

  session(): CredentialSession {
    const revealed: string[] = [];
    const lookup: SecretLookup = async (name) => {
      const data = await this.read(name);
      if (data) revealed.push(...Object.values(data));
      return data;
    };
    return { lookup, revealed };
  }

  private async read(name: string): Promise<SecretData | undefined> {
    if (this.directory === undefined || !SECRET_NAME.test(name)) return undefined;
    const cached = this.cache.get(name);
    if (cached && Date.now() - cached.readAt < REREAD_MS) return cached.data;
    const data = await readSecretVolume(join(this.directory, name));
    this.cache.set(name, { data, readAt: Date.now() });
    return data;
  }
}

/** The keys of a mounted Secret; Kubernetes keeps its own bookkeeping in entries starting with a dot. */
async function readSecretVolume(path: string): Promise<SecretData | undefined> {
  let keys: string[];
  try {
    keys = (await readdir(path)).filter((key) => !key.startsWith('.'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
  const entries = await Promise.all(keys.map(async (key) => [key, await readFile(join(path, key), 'utf8')] as const));
  return Object.fromEntries(entries);
}
