import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp, refusedRangeOf, type IpAddress } from './address-ranges.js';

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`${text} is not an address`);
  return parsed;
};

describe('refusedRangeOf', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['198.18.0.1', 'reserved'],
    ['198.19.255.254', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['64:ff9b:1::a9fe:a9fe', 'rfc6052'],
    // IPv6 forms that carry 169.254.169.254 or another refused IPv4 address.
    ['::ffff:127.0.0.1', 'loopback 127.0.0.1 carried by IPv4-mapped'],
    ['::ffff:a9fe:a9fe', 'linkLocal 169.254.169.254 carried by IPv4-mapped'],
    ['::ffff:0:a9fe:a9fe', 'linkLocal 169.254.169.254 carried by IPv4-translated'],
    ['64:ff9b::169.254.169.254', 'linkLocal 169.254.169.254 carried by NAT64'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal 169.254.169.254 carried by NAT64'],
    ['64:ff9b::10.0.0.1', 'private 10.0.0.1 carried by NAT64'],
    ['2002:a9fe:a9fe::', 'linkLocal 169.254.169.254 carried by 6to4'],
    ['2002:a9fe:a9fe:1:2:3:4:5', 'linkLocal 169.254.169.254 carried by 6to4'],
    ['2002:7f00:1::', 'loopback 127.0.0.1 carried by 6to4'],
    ['2002:c612:1::', 'reserved 198.18.0.1 carried by 6to4'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'linkLocal 169.254.169.254 carried by Teredo'],
    ['2001:0:a00:1:8000:63bf:f7f7:f7fe', 'private 10.0.0.1 carried by Teredo'],
    ['::7f00:1', 'loopback 127.0.0.1 carried by IPv4-compatible'],
    ['::a9fe:a9fe', 'linkLocal 169.254.169.254 carried by IPv4-compatible'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRangeOf(ip(address))).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '169.253.255.255',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ])('lets the public unicast address %s through', (address) => {
    expect(refusedRangeOf(ip(address))).toBeUndefined();
  });
});

describe('parseIp', () => {
  it.each(['127.1', '0x7f.0.0.1', '2130706433', 'prometheus.internal', '', '[::1', '1.2.3.4.5'])(
    'takes %j for no address (a host name to resolve)',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it('reads bracketed IPv6 literals', () => {
    expect(parseIp('[::1]')?.toString()).toBe('::1');
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.255.0.1', '11.0.0.1'],
    ['192.168.1.7', '192.168.1.7', '192.168.1.8'],
    ['fc00::/7', 'fdff::1', 'fe00::1'],
    ['::1', '::1', '::2'],
  ])('parses %s, which holds %s and not %s', (text, inside, outside) => {
    const cidr = parseCidr(text);
    expect(cidr).toBeDefined();
    if (cidr === undefined) return;
    expect(cidrContains(cidr, ip(inside))).toBe(true);
    expect(cidrContains(cidr, ip(outside))).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fc00::/129', 'prometheus.internal', '10.0.0.0/x', '10.1/16', '*.svc.cluster.local', ''])(
    'rejects %s',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});
