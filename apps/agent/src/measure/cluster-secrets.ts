import type { KubeClient } from '../kube/kube-client.js';
import type { SecretObject } from '../kube/kube-object.js';
import { SECRETS } from '../kube/resources.js';

export type SecretData = Record<string, string>;

/**
 * Reads Secrets through the Kubernetes API as decoded string data, and remembers every value it handed out so that
 * the caller can keep them out of what it logs and sends.
 */
export class SecretReader {
  private readonly values = new Set<string>();

  constructor(private readonly kube: KubeClient) {}

  /** The Secret's `data`, base64-decoded; `undefined` when the Secret does not exist. */
  async read(namespace: string, name: string): Promise<SecretData | undefined> {
    const secret = await this.kube.get<SecretObject>(SECRETS, namespace, name);
    if (secret === undefined) return undefined;
    const data: SecretData = {};
    for (const [key, encoded] of Object.entries(secret.data ?? {})) {
      const value = Buffer.from(encoded, 'base64').toString('utf8');
      data[key] = value;
      this.values.add(value);
    }
    return data;
  }

  /** Every value read so far. */
  get revealed(): Iterable<string> {
    return this.values;
  }
}
