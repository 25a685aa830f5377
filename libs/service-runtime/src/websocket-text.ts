/** The text of a WebSocket message as `ws` hands it over: one buffer, an ArrayBuffer, or fragments. */
export function websocketText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
