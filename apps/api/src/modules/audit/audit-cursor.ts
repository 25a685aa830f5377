export const isSequenceCursor = (value: unknown): value is { sequence: number } =>
  typeof value === 'object' && value !== null && Number.isInteger((value as { sequence?: unknown }).sequence);
