// VPCs and vSwitches. A vSwitch owns an AddressPool: every instance primary IP, ENI primary IP
// and secondary IP comes out of it and goes back on release, so AvailableIpAddressCount is the
// real number of free addresses.
import { AddressPool, ipToInt, parseCidr } from './addressPool.js';
import type { Tags } from './tags.js';

export interface VpcRecord {
  id: string;
  regionId: string;
  name: string;
  cidrBlock: string;
  description: string;
  tags: Tags;
  creationTime: string;
  vRouterId: string;
}

export interface VSwitchRecord {
  id: string;
  vpcId: string;
  regionId: string;
  zoneId: string;
  name: string;
  description: string;
  cidrBlock: string;
  tags: Tags;
  creationTime: string;
  pool: AddressPool;
}

/** Marks addresses taken by an injected IP-exhaustion fault, so the fault can be undone. */
export const exhaustionOwner = 'fault:ip-exhaustion';

export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  return a.prefix >= b.prefix && a.base >= b.base && a.base + a.size <= b.base + b.size;
}

export function cidrsOverlap(x: string, y: string): boolean {
  const a = parseCidr(x);
  const b = parseCidr(y);
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= base && n < base + size;
}
