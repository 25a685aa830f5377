/**
 * Where an Istio `virtualService(s).name` points, as upstream's `GetVirtualServiceNamespaceName`: `name.namespace`
 * is the VirtualService `name` in `namespace` (the last segment, since a namespace holds no dot; a trailing
 * `.cluster.local` is dropped), and a bare name is one in the rollout's namespace.
 * @example virtualServiceLocation('web-vsvc.mesh', 'shop') // → { namespace: 'mesh', name: 'web-vsvc' }
 * @example virtualServiceLocation('web.v2.mesh', 'shop') // → { namespace: 'mesh', name: 'web.v2' }
 * @example virtualServiceLocation('web-vsvc', 'shop') // → { namespace: 'shop', name: 'web-vsvc' }
 */
export function virtualServiceLocation(reference: string, rolloutNamespace: string): { namespace: string; name: string } {
  const fields = reference.replace(/\.cluster\.local$/, '').split('.');
  const namespace = fields.length < 2 ? '' : (fields.pop() ?? '');
  return { namespace: namespace === '' ? rolloutNamespace : namespace, name: fields.join('.') };
}
