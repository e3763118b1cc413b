// Deterministic resource ids: the same sequence of calls yields the same ids, which keeps test
// failures reproducible. The shape (prefix, dash, lowercase alphanumerics) matches real ids so
// that clients validating ids by pattern accept them.

export class IdGenerator {
  private readonly counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-sim${n.toString(16).padStart(14, '0')}`;
  }

  /** A MAC address in Alibaba Cloud's OUI (00:16:3e). */
  nextMac(): string {
    const n = (this.counters.get('mac') ?? 0) + 1;
    this.counters.set('mac', n);
    const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).padStart(2, '0'));
    return `00:16:3e:${bytes.join(':')}`;
  }
}
