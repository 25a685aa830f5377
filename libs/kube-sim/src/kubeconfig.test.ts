import { describe, expect, it } from 'vitest';
import { kubeconfigYaml, readKubeconfig } from './kubeconfig.js';

describe('readKubeconfig', () => {
  it('reads back the server, token and trusted certificate that kubeconfigYaml wrote', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(readKubeconfig(kubeconfigYaml('staging', 'https://127.0.0.1:6443/clusters/staging', 't0k3n', pem))).toEqual({
      server: 'https://127.0.0.1:6443/clusters/staging',
      token: 't0k3n',
      certificateAuthority: pem,
    });
    expect(readKubeconfig(kubeconfigYaml('dev', 'http://127.0.0.1:6443/clusters/dev', 't0k3n'))).toEqual({
      server: 'http://127.0.0.1:6443/clusters/dev',
      token: 't0k3n',
      certificateAuthority: undefined,
    });
  });

  it('finds nothing in a kubeconfig without a server or a token', () => {
    expect(readKubeconfig('apiVersion: v1\nkind: Config\nclusters: []\n')).toBeUndefined();
    expect(readKubeconfig('')).toBeUndefined();
  });
});
