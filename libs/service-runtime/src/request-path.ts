/**
 * The path of an HTTP request's target, or undefined when no URL can be made of it (`//x:99999`, a port out of
 * range): answer such a request 400, as `new URL` would throw.
 * @example requestPath('/metrics?debug=1') === '/metrics'
 */
export function requestPath(target: string | undefined): string | undefined {
  const base = 'http://request';
  return URL.canParse(target ?? '/', base) ? new URL(target ?? '/', base).pathname : undefined;
}
