/**
 * Why a measurement could not produce a value. Adapters throw it; the adapter boundary turns it into an
 * error outcome, so callers never see it thrown.
 */
export class MeasurementError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'MeasurementError';
  }
}

export type TransportFailureKind =
  'timeout' | 'aborted' | 'address-refused' | 'network' | 'too-many-redirects' | 'invalid-url' | 'response-too-large';

/** An HTTP request that got no response, with the URL it was sent to. */
export class HttpTransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpTransportError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
