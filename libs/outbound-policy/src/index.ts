export { AddressGuard, AddressRefusedError, type AddressPolicy, type ResolvedAddress } from './address-guard.js';
export { cidrContains, parseCidr, parseIp, refusedRangeOf, type Cidr, type IpAddress } from './address-ranges.js';
