import { describe, expect, it } from 'vitest';
import { AddressRefusedError } from '../errors.js';
import { AddressGuard } from './address-policy.js';
import { parseCidr, refusedRangeOf } from './ip-ranges.js';

describe('refusedRangeOf', () => {
  it.each([
    ['127.0.0.1', 'loopback 127.0.0.0/8'],
    ['127.255.0.9', 'loopback 127.0.0.0/8'],
    ['10.0.0.1', 'private 10.0.0.0/8'],
    ['10.255.255.255', 'private 10.0.0.0/8'],
    ['172.16.0.1', 'private 172.16.0.0/12'],
    ['172.31.255.254', 'private 172.16.0.0/12'],
    ['192.168.1.10', 'private 192.168.0.0/16'],
    ['169.254.169.254', 'link-local 169.254.0.0/16'],
    ['169.254.0.1', 'link-local 169.254.0.0/16'],
    ['0.0.0.0', 'unspecified 0.0.0.0/8'],
    ['100.64.0.1', 'carrier-grade NAT 100.64.0.0/10'],
    ['100.127.255.255', 'carrier-grade NAT 100.64.0.0/10'],
    ['::', 'unspecified ::/128'],
    ['::1', 'loopback ::1/128'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456:789a::1', 'unique local fc00::/7'],
    ['fe80::1', 'link-local fe80::/10'],
    ['febf:ffff::1', 'link-local fe80::/10'],
    ['::ffff:127.0.0.1', 'loopback 127.0.0.0/8'],
    ['::ffff:a9fe:a9fe', 'link-local 169.254.0.0/16'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRangeOf(address)).toBe(range);
  });

  it.each(['8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '192.169.0.1', '169.253.255.255', '2001:4860:4860::8888', 'fec0::1', '::ffff:8.8.8.8'])(
    'lets %s through',
    (address) => {
      expect(refusedRangeOf(address)).toBeUndefined();
    },
  );
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { family: 4, network: 10n, prefixLength: 8 }],
    ['192.168.1.7', { family: 4, network: 3232235783n, prefixLength: 32 }],
    ['fc00::/7', { family: 6, network: 0x7en, prefixLength: 7 }],
  ])('parses %s', (text, cidr) => {
    expect(parseCidr(text)).toEqual(cidr);
  });

  it.each(['10.0.0.0/33', 'fc00::/129', 'prometheus.internal', '10.0.0.0/x', ''])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('AddressGuard', () => {
  const dns: Record<string, string[]> = {
    'metrics.example.com': ['93.184.216.34'],
    'metadata.attacker.example': ['169.254.169.254'],
    'split.example.com': ['93.184.216.34', '10.1.2.3'],
    'prometheus.internal': ['10.20.0.5'],
    'grafana.svc.cluster.local': ['10.96.0.12'],
  };
  const resolve = (hostname: string) => Promise.resolve((dns[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));

  it('resolves a public name to its addresses', async () => {
    await expect(new AddressGuard({ resolve }).resolve('metrics.example.com')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it.each([
    ['metadata.attacker.example', '169.254.169.254'],
    ['split.example.com', '10.1.2.3'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['169.254.169.254', '169.254.169.254'],
  ])('refuses %s, which reaches %s', async (host, address) => {
    const refusal = await new AddressGuard({ resolve }).resolve(host).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AddressRefusedError);
    expect(refusal).toMatchObject({ host, address });
  });

  it.each([
    [['10.20.0.0/16'], 'prometheus.internal'],
    [['prometheus.internal'], 'prometheus.internal'],
    [['*.svc.cluster.local'], 'grafana.svc.cluster.local'],
    [['127.0.0.1/32'], '127.0.0.1'],
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
