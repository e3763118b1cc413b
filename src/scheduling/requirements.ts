// The requirements algebra of upstream Karpenter (pkg/scheduling/requirement(s).go): a requirement is
// a set of allowed values for one label key, either listed (In) or everything but a list (NotIn,
// Exists), optionally bounded (Gt, Lt); requirements on the same key intersect.
import { WellKnownLabels } from '../apis/labels.js';
import type { NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorRequirementWithMinValues } from './types.js';

const noValues: ReadonlySet<string> = new Set();

function integerOrUndefined(value: string): number | undefined {
  if (!/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

function withinBounds(value: string, greaterThan: number | undefined, lessThan: number | undefined): boolean {
  if (greaterThan === undefined && lessThan === undefined) return true;
  const n = integerOrUndefined(value);
  if (n === undefined) return false;
  if (greaterThan !== undefined && n <= greaterThan) return false;
  if (lessThan !== undefined && n >= lessThan) return false;
  return true;
}

export class Requirement {
  private constructor(
    readonly key: string,
    /** true: every value except `values` (NotIn, Exists); false: exactly `values` (In, DoesNotExist when empty). */
    readonly complement: boolean,
    readonly values: ReadonlySet<string>,
    readonly greaterThan: number | undefined,
    readonly lessThan: number | undefined,
    readonly minValues: number | undefined,
  ) {}

  static of(key: string, operator: NodeSelectorOperator, values: readonly string[] = [], minValues?: number): Requirement {
    switch (operator) {
      case 'In':
        return new Requirement(key, false, new Set(values), undefined, undefined, minValues);
      case 'NotIn':
        return new Requirement(key, true, new Set(values), undefined, undefined, minValues);
      case 'Exists':
        return new Requirement(key, true, noValues, undefined, undefined, minValues);
      case 'DoesNotExist':
        return new Requirement(key, false, noValues, undefined, undefined, minValues);
      case 'Gt':
      case 'Lt': {
        const bound = integerOrUndefined(values[0] ?? '');
        if (bound === undefined) throw new Error(`requirement ${key} ${operator} needs one integer value, got ${JSON.stringify(values)}`);
        return operator === 'Gt'
          ? new Requirement(key, true, noValues, bound, undefined, minValues)
          : new Requirement(key, true, noValues, undefined, bound, minValues);
      }
    }
  }

  static in(key: string, ...values: string[]): Requirement {
    return new Requirement(key, false, new Set(values), undefined, undefined, undefined);
  }

  static fromNodeSelector(r: NodeSelectorRequirement | NodeSelectorRequirementWithMinValues): Requirement {
    return Requirement.of(r.key, r.operator, r.values ?? [], 'minValues' in r ? r.minValues : undefined);
  }

  has(value: string): boolean {
    if (this.complement) return !this.values.has(value) && withinBounds(value, this.greaterThan, this.lessThan);
    return this.values.has(value) && withinBounds(value, this.greaterThan, this.lessThan);
  }

  /** Number of allowed values; Infinity for complements. */
  get size(): number {
    return this.complement ? Infinity : this.values.size;
  }

  get operator(): NodeSelectorOperator {
    if (this.complement) return this.values.size > 0 ? 'NotIn' : 'Exists';
    return this.values.size > 0 ? 'In' : 'DoesNotExist';
  }

  /** True when the key must be present with some value (In, Exists, NotIn, Gt, Lt). */
  get requiresPresence(): boolean {
    return this.complement || this.values.size > 0;
  }

  /** The one value when exactly one is allowed. */
  single(): string | undefined {
    if (this.complement || this.values.size !== 1) return undefined;
    for (const v of this.values) return v;
    return undefined;
  }

  intersection(other: Requirement): Requirement {
    if (other === this) return this;
    const greaterThan = maxDefined(this.greaterThan, other.greaterThan);
    const lessThan = minDefined(this.lessThan, other.lessThan);
    const minValues = maxDefined(this.minValues, other.minValues);
    if (greaterThan !== undefined && lessThan !== undefined && greaterThan >= lessThan - 1) {
      return new Requirement(this.key, false, noValues, undefined, undefined, minValues);
    }
    const complement = this.complement && other.complement;
    let values: Set<string>;
    if (this.complement && other.complement) {
      values = new Set(this.values);
      for (const v of other.values) values.add(v);
    } else if (this.complement) {
      values = new Set();
      for (const v of other.values) if (!this.values.has(v)) values.add(v);
    } else if (other.complement) {
      values = new Set();
      for (const v of this.values) if (!other.values.has(v)) values.add(v);
    } else {
      values = new Set();
      const [small, large] = this.values.size <= other.values.size ? [this.values, other.values] : [other.values, this.values];
      for (const v of small) if (large.has(v)) values.add(v);
    }
    if (!complement) {
      for (const v of values) if (!withinBounds(v, greaterThan, lessThan)) values.delete(v);
      return new Requirement(this.key, false, values, undefined, undefined, minValues);
    }
    return new Requirement(this.key, true, values, greaterThan, lessThan, minValues);
  }

  /** True when the intersection with `other` allows some value, or both merely forbid values. */
  intersects(other: Requirement): boolean {
    if (!this.complement && !other.complement) {
      const [small, large] = this.values.size <= other.values.size ? [this, other] : [other, this];
      for (const v of small.values) if (large.has(v)) return true;
      return bothAbsentOk(this, other);
    }
    if (!this.complement) {
      for (const v of this.values) if (other.has(v)) return true;
      return bothAbsentOk(this, other);
    }
    if (!other.complement) {
      for (const v of other.values) if (this.has(v)) return true;
      return bothAbsentOk(this, other);
    }
    // Two complements always share values unless their bounds exclude each other.
    const gt = maxDefined(this.greaterThan, other.greaterThan);
    const lt = minDefined(this.lessThan, other.lessThan);
    return gt === undefined || lt === undefined || gt < lt - 1;
  }

  toNodeSelector(): NodeSelectorRequirementWithMinValues {
    const base: NodeSelectorRequirementWithMinValues =
      this.greaterThan !== undefined && this.values.size === 0 && this.lessThan === undefined
        ? { key: this.key, operator: 'Gt', values: [String(this.greaterThan)] }
        : this.lessThan !== undefined && this.values.size === 0 && this.greaterThan === undefined
          ? { key: this.key, operator: 'Lt', values: [String(this.lessThan)] }
          : this.operator === 'In' || this.operator === 'NotIn'
            ? { key: this.key, operator: this.operator, values: [...this.values].sort() }
            : { key: this.key, operator: this.operator };
    if (this.minValues !== undefined) base.minValues = this.minValues;
    return base;
  }

  toString(): string {
    const op = this.operator;
    let s: string;
    if (op === 'Exists' || op === 'DoesNotExist') s = `${this.key} ${op}`;
    else {
      const values = [...this.values].sort();
      const shown = values.length > 5 ? [...values.slice(0, 5), `and ${values.length - 5} others`] : values;
      s = `${this.key} ${op} [${shown.join(' ')}]`;
    }
    if (this.greaterThan !== undefined) s += ` >${this.greaterThan}`;
    if (this.lessThan !== undefined) s += ` <${this.lessThan}`;
    return s;
  }
}

/** Karpenter's exception: two requirements that only exclude values (NotIn, DoesNotExist) never conflict. */
function bothAbsentOk(a: Requirement, b: Requirement): boolean {
  const excl = (r: Requirement) => r.operator === 'NotIn' || r.operator === 'DoesNotExist';
  return excl(a) && excl(b);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

const wellKnown: ReadonlySet<string> = new Set(WellKnownLabels);

export function isWellKnownLabel(key: string): boolean {
  return wellKnown.has(key);
}

/** A conjunction of requirements, at most one per key. Mutable: `add` intersects in place. */
export class Requirements {
  private readonly byKey: Map<string, Requirement>;

  constructor(from?: Iterable<Requirement>) {
    this.byKey = new Map();
    if (from) for (const r of from) this.add(r);
  }

  static fromNodeSelector(requirements: readonly (NodeSelectorRequirement | NodeSelectorRequirementWithMinValues)[] | undefined): Requirements {
    const out = new Requirements();
    for (const r of requirements ?? []) out.add(Requirement.fromNodeSelector(r));
    return out;
  }

  static fromLabels(labels: Readonly<Record<string, string>> | undefined): Requirements {
    const out = new Requirements();
    if (labels) for (const [k, v] of Object.entries(labels)) out.add(Requirement.in(k, v));
    return out;
  }

  clone(): Requirements {
    const out = new Requirements();
    for (const [k, r] of this.byKey) out.byKey.set(k, r);
    return out;
  }

  add(requirement: Requirement): this {
    const existing = this.byKey.get(requirement.key);
    this.byKey.set(requirement.key, existing ? existing.intersection(requirement) : requirement);
    return this;
  }

  addAll(other: Requirements): this {
    for (const r of other.byKey.values()) this.add(r);
    return this;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The requirement on `key`; Exists when there is none. */
  get(key: string): Requirement {
    return this.byKey.get(key) ?? Requirement.of(key, 'Exists');
  }

  getIfPresent(key: string): Requirement | undefined {
    return this.byKey.get(key);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  values(): IterableIterator<Requirement> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  /**
   * Why `incoming` cannot be met together with these requirements, or undefined when it can.
   * Keys of `incoming` absent here must be optional (NotIn, DoesNotExist) unless listed in
   * `allowUndefined` (Karpenter allows undefined well-known labels on NodePools).
   */
  compatible(incoming: Requirements, allowUndefined?: ReadonlySet<string>): string | undefined {
    for (const [key, req] of incoming.byKey) {
      const mine = this.byKey.get(key);
      if (!mine) {
        if (allowUndefined?.has(key)) continue;
        const op = req.operator;
        if (op === 'NotIn' || op === 'DoesNotExist') continue;
        return `label ${JSON.stringify(key)} does not have known values`;
      }
      if (!mine.intersects(req)) return `key ${key}, ${req} not in ${mine}`;
    }
    return undefined;
  }

  /** Like compatible with allowUndefined = every key: only keys present on both sides must overlap. */
  intersects(incoming: Requirements): string | undefined {
    for (const [key, req] of incoming.byKey) {
      const mine = this.byKey.get(key);
      if (mine && !mine.intersects(req)) return `key ${key}, ${req} not in ${mine}`;
    }
    return undefined;
  }

  /** Single-valued requirements as labels, for the labels a node would carry. */
  labels(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, r] of this.byKey) {
      const v = r.single();
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  toNodeSelector(exclude?: ReadonlySet<string>): NodeSelectorRequirementWithMinValues[] {
    const out: NodeSelectorRequirementWithMinValues[] = [];
    for (const [k, r] of [...this.byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!exclude?.has(k)) out.push(r.toNodeSelector());
    }
    return out;
  }

  toString(): string {
    return [...this.byKey.values()].map((r) => r.toString()).sort().join(', ');
  }
}

export const WellKnownLabelSet = wellKnown;
