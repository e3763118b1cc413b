// The informer's store: objects by key, plus secondary indexes (e.g. pods by node name) kept
// current on every change so lookups never scan the whole cache.

export type IndexFunc<T> = (obj: T) => readonly string[];

interface Index<T> {
  fn: IndexFunc<T>;
  keysByValue: Map<string, Set<string>>;
}

export class IndexedStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.objects.entries();
  }

  /** Registers an index and indexes what is already stored. Re-adding a name is a no-op. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) return;
    const index: Index<T> = { fn, keysByValue: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.objects) this.indexInto(index, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${JSON.stringify(name)}`);
    const keys = index.keysByValue.get(value);
    if (!keys) return [];
    const result: T[] = [];
    for (const key of keys) {
      const obj = this.objects.get(key);
      if (obj !== undefined) result.push(obj);
    }
    return result;
  }

  /** The distinct values an index currently holds (e.g. every node that has pods). */
  indexValues(name: string): string[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${JSON.stringify(name)}`);
    return [...index.keysByValue.keys()];
  }

  /** Stores the object and returns the one it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.objects.get(key);
    if (old !== undefined) for (const index of this.indexes.values()) this.unindexFrom(index, key, old);
    this.objects.set(key, obj);
    for (const index of this.indexes.values()) this.indexInto(index, key, obj);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    if (old === undefined) return undefined;
    for (const index of this.indexes.values()) this.unindexFrom(index, key, old);
    this.objects.delete(key);
    return old;
  }

  private indexInto(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      let keys = index.keysByValue.get(value);
      if (!keys) index.keysByValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindexFrom(index: Index<T>, key: string, obj: T): void {
    for (const value of index.fn(obj)) {
      const keys = index.keysByValue.get(value);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.keysByValue.delete(value);
    }
  }
}
