import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretLookup } from '@flotilla/metric-providers';
import { isRecordId } from '@flotilla/stores';

/** A mounted Secret is re-read at most this often, so that a rotated credential is taken up without a restart. */
const REREAD_MS = 10_000;
const CACHED_SECRETS = 1_024;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type SecretData = Record<string, string>;

/** A lookup for one measurement, and every credential value it handed out, to be redacted from the outcome. */
export interface CredentialSession {
  lookup: SecretLookup;
  revealed: string[];
}

/**
 * Provider credentials for measurements taken by the control plane (`datadog`, `newrelic`, `cloudwatch`, …), each
 * organization its own: Secrets mounted as volumes under `<directory>/<organization id>/<secret>/<key>`, one file
 * per key, as Kubernetes mounts them. This is the control plane's counterpart of the Secrets an agent reads from
 * its own namespace; the values stay in memory and never reach Postgres.
 */
export class MountedCredentials {
  private readonly cache = new Map<string, { data: SecretData | undefined; readAt: number }>();

  constructor(private readonly directory: string | undefined) {}

  /** The credentials one measurement of the organization may read. */
  session(organizationId: string): CredentialSession {
    const revealed: string[] = [];
    const lookup: SecretLookup = async (name, options) => {
      // The control plane holds no Secrets of the clusters' namespaces.
      if (options?.runNamespaceOnly) return undefined;
      const data = await this.read(organizationId, name);
      if (data) revealed.push(...Object.values(data));
      return data;
    };
    return { lookup, revealed };
  }

  private async read(organizationId: string, name: string): Promise<SecretData | undefined> {
    if (this.directory === undefined || !isRecordId(organizationId) || !SECRET_NAME.test(name)) return undefined;
    const path = join(this.directory, organizationId, name);
    const cached = this.cache.get(path);
    if (cached && Date.now() - cached.readAt < REREAD_MS) return cached.data;
    const data = await readSecretVolume(path);
    this.cache.delete(path);
    this.cache.set(path, { data, readAt: Date.now() });
    // Templates name the Secrets they want: keep the most recently read ones, not every name ever asked for.
    if (this.cache.size > CACHED_SECRETS) this.cache.delete(this.cache.keys().next().value as string);
    return data;
  }
}

const isMissing = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * The keys of a mounted Secret: its regular files, links followed. Kubernetes keeps its own bookkeeping in entries
 * starting with a dot; a key whose link dangles for a moment while the Secret is updated is left out.
 */
async function readSecretVolume(path: string): Promise<SecretData | undefined> {
  let keys: string[];
  try {
    keys = (await readdir(path)).filter((key) => !key.startsWith('.'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const entries = await Promise.all(
    keys.map(async (key): Promise<[string, string] | undefined> => {
      try {
        return (await stat(join(path, key))).isFile() ? [key, await readFile(join(path, key), 'utf8')] : undefined;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry !== undefined));
}
