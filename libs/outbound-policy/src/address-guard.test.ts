import { describe, expect, it } from 'vitest';
import { AddressGuard, AddressRefusedError } from './address-guard.js';

describe('AddressGuard', () => {
  const dns: Record<string, string[]> = {
    'metrics.example.com': ['93.184.216.34'],
    'metadata.attacker.example': ['169.254.169.254'],
    'nat64.attacker.example': ['64:ff9b::a9fe:a9fe'],
    'split.example.com': ['93.184.216.34', '10.1.2.3'],
    'prometheus.internal': ['10.20.0.5'],
    'mapped.internal': ['::ffff:10.20.0.6'],
    'grafana.svc.cluster.local': ['10.96.0.12'],
  };
  const resolve = (hostname: string) =>
    Promise.resolve((dns[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));

  it('resolves a public name to its addresses', async () => {
    await expect(new AddressGuard({ resolve }).resolve('metrics.example.com')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it.each([
    ['metadata.attacker.example', '169.254.169.254'],
    ['nat64.attacker.example', '64:ff9b::a9fe:a9fe'],
    ['split.example.com', '10.1.2.3'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['169.254.169.254', '169.254.169.254'],
    ['[2002:a9fe:a9fe::]', '2002:a9fe:a9fe::'],
    ['198.18.0.1', '198.18.0.1'],
    ['224.0.0.251', '224.0.0.251'],
    ['255.255.255.255', '255.255.255.255'],
  ])('refuses %s, which reaches %s', async (host, address) => {
    const refusal = await new AddressGuard({ resolve }).resolve(host).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AddressRefusedError);
    expect(refusal).toMatchObject({ host, address });
  });

  it.each([
    [['10.20.0.0/16'], 'prometheus.internal'],
    [['10.20.0.0/16'], 'mapped.internal'],
    [['prometheus.internal'], 'prometheus.internal'],
    [['*.svc.cluster.local'], 'grafana.svc.cluster.local'],
    [['127.0.0.1/32'], '127.0.0.1'],
    [['127.0.0.1'], '127.0.0.1'],
    [['::1'], '[::1]'],
  ])('allows what the allow-list %j names (%s)', async (allow, host) => {
    await expect(new AddressGuard({ allow, resolve }).resolve(host)).resolves.toHaveLength(1);
  });

  it('allows only the listed network, not its neighbours', async () => {
    const guard = new AddressGuard({ allow: ['10.20.0.0/16'], resolve });
    await expect(guard.resolve('grafana.svc.cluster.local')).rejects.toBeInstanceOf(AddressRefusedError);
    await expect(guard.resolve('169.254.169.254')).rejects.toBeInstanceOf(AddressRefusedError);
  });
});
