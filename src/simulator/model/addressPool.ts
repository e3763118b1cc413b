// The IPv4 addresses of one vSwitch CIDR. Like VPC, the first address and the last three are
// reserved. Allocation is next-fit from a moving cursor: deterministic, and a just-released
// address is not handed out again at once (a real vSwitch does not promise either).

export class IpNotEnoughError extends Error {
  constructor(readonly available: number, readonly requested: number) {
    super(`requested ${requested} addresses, ${available} available`);
  }
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`invalid IPv4 address ${ip}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

export function parseCidr(cidr: string): { base: number; prefix: number; size: number } {
  const [ip, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 29) {
    throw new Error(`invalid vSwitch CIDR ${cidr} (prefix must be 8..29)`);
  }
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip);
  if (base % size !== 0) throw new Error(`CIDR ${cidr} is not aligned to its prefix`);
  return { base, prefix, size };
}

export class AddressPool {
  readonly cidr: string;
  private readonly base: number;
  private readonly size: number;
  /** Offset within the CIDR to the owner (an ENI id, or a fault marker). */
  private readonly owners = new Map<number, string>();
  private cursor = 1;

  constructor(cidr: string) {
    const parsed = parseCidr(cidr);
    this.cidr = cidr;
    this.base = parsed.base;
    this.size = parsed.size;
  }

  /** Usable addresses: the CIDR minus the four reserved ones. */
  get capacity(): number {
    return this.size - 4;
  }

  get available(): number {
    return this.capacity - this.owners.size;
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n >= this.base && n < this.base + this.size;
  }

  private usable(offset: number): boolean {
    return offset >= 1 && offset <= this.size - 4;
  }

  /** Takes `count` free addresses for `owner`, all or none. */
  allocate(owner: string, count: number): string[] {
    if (count > this.available) throw new IpNotEnoughError(this.available, count);
    const taken: string[] = [];
    const last = this.size - 4;
    while (taken.length < count) {
      if (!this.owners.has(this.cursor)) {
        this.owners.set(this.cursor, owner);
        taken.push(intToIp(this.base + this.cursor));
      }
      this.cursor = this.cursor >= last ? 1 : this.cursor + 1;
    }
    return taken;
  }

  /** Takes one given address; throws if it is outside the CIDR, reserved or in use. */
  allocateSpecific(owner: string, ip: string): void {
    const offset = ipToInt(ip) - this.base;
    if (!this.usable(offset)) throw new Error(`address ${ip} is not usable in ${this.cidr}`);
    if (this.owners.has(offset)) throw new Error(`address ${ip} is in use`);
    this.owners.set(offset, owner);
  }

  release(ip: string): void {
    this.owners.delete(ipToInt(ip) - this.base);
  }

  ownerOf(ip: string): string | undefined {
    return this.owners.get(ipToInt(ip) - this.base);
  }

  /** Releases every address held by `owner`; returns how many. */
  releaseOwner(owner: string): number {
    let released = 0;
    for (const [offset, o] of this.owners) {
      if (o === owner) {
        this.owners.delete(offset);
        released++;
      }
    }
    return released;
  }

  /** All allocations, for the admin view and tests. */
  allocations(): { ip: string; owner: string }[] {
    return [...this.owners].sort(([a], [b]) => a - b).map(([offset, owner]) => ({ ip: intToIp(this.base + offset), owner }));
  }
}
