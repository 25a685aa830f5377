import type { MeasureContext } from '../context.js';
import { requireSecret } from './provider-requests.js';
import type { AwsCredentials } from './sigv4.js';

/** The Secret holding the cluster's AWS credentials: `access-key-id`, `secret-access-key`, optional `session-token`, `region`. */
export const AWS_CREDENTIALS_SECRET = 'cloudwatch';

/** Credentials and the optional `region` of an AWS credentials Secret. */
export async function readAwsCredentials(
  context: MeasureContext,
  provider: string,
  secretName: string,
): Promise<{ credentials: AwsCredentials; region: string | undefined; secret: Record<string, string> }> {
  const secret = await requireSecret(context, provider, secretName, ['access-key-id', 'secret-access-key']);
  const credentials: AwsCredentials = {
    accessKeyId: secret['access-key-id'] ?? '',
    secretAccessKey: secret['secret-access-key'] ?? '',
    ...(secret['session-token'] ? { sessionToken: secret['session-token'] } : {}),
  };
  return { credentials, region: secret['region'] || undefined, secret };
}
