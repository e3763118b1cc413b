// The configuration LP (Gilmore-Gomory) of packing pods onto priced node types: choose how many
// nodes of each pattern (a type and the counts of each pod size it holds) to buy, fractionally, so
// every pod is covered at the least price. Solved by column generation: a revised simplex over the
// patterns found so far, and a knapsack per type to find a pattern worth more than its price under
// the current dual values.
//
// Unlike the aggregated LP (summed CPU, memory and slots), a pattern must fit whole pods on one node:
// a type with two pod slots cannot sell its cores to a third pod, and a cheap small type cannot host
// a pod larger than itself. Farley's argument keeps every iteration's bound valid even when the
// pricing stops early: with duals π >= 0 and θ >= max over patterns of π·a / price,
// Σ π·demand / θ is a lower bound on any packing, fractional or not.
import { bestPattern, fitCount, type NodeRoom, type ValuedSize } from './pattern-knapsack.js';

export interface PricedRoom extends NodeRoom {
  price: number;
}

export interface PodSize {
  cores: number;
  gib: number;
  count: number;
}

export interface Pattern {
  /** Index into the types given. */
  type: number;
  counts: Int32Array;
  price: number;
  /** Nodes of this pattern in the LP solution (fractional). */
  nodes: number;
}

export interface ConfigurationLpResult {
  /** A valid lower bound on the price of any packing of the pods onto the types. */
  bound: number;
  /** The restricted LP's optimum: about `bound` when `exact` (the fractional plan's price). */
  lpValue: number;
  exact: boolean;
  /** The fractional solution: patterns with nodes > 0. */
  patterns: Pattern[];
  /** Sizes no type can hold (left out of the bound). */
  unplaceable: number[];
  iterations: number;
}

export interface ConfigurationLpOptions {
  /** Column-generation rounds. Default 60. */
  maxRounds?: number;
  /** Branch-and-bound nodes per knapsack in the thorough rounds. Default 2,000. */
  knapsackBudget?: number;
}


/** Drops types another type beats on every dimension at no higher price (they add no pattern). */
export function undominated(types: readonly PricedRoom[]): number[] {
  const idx = types.map((_, i) => i).filter((i) => (types[i] as PricedRoom).price > 0 && Number.isFinite((types[i] as PricedRoom).price));
  return idx.filter((i) => {
    const t = types[i] as PricedRoom;
    return !idx.some((j) => {
      if (j === i) return false;
      const u = types[j] as PricedRoom;
      const geq = u.cores >= t.cores && u.memoryGiB >= t.memoryGiB && u.podSlots >= t.podSlots && u.price <= t.price;
      const strict = u.cores > t.cores || u.memoryGiB > t.memoryGiB || u.podSlots > t.podSlots || u.price < t.price || j < i;
      return geq && strict;
    });
  });
}

/** Covering LP min c·x, A x >= demand, x >= 0 over a growing set of columns, by revised simplex. */
class Master {
  readonly columns: { a: Float64Array; cost: number; pattern: Pattern | undefined }[] = [];
  /** Basis: column index per row; surplus columns are encoded as -(k + 1). */
  private basis: number[];
  private binv: Float64Array;
  private xb: Float64Array;

  constructor(private readonly demand: Float64Array, initial: Pattern[]) {
    const K = demand.length;
    this.binv = new Float64Array(K * K);
    this.xb = new Float64Array(K);
    this.basis = new Array<number>(K);
    // One homogeneous pattern per size: a diagonal, feasible basis.
    for (let k = 0; k < K; k++) {
      const p = initial[k] as Pattern;
      const q = p.counts[k] as number;
      this.basis[k] = this.add(p);
      this.binv[k * K + k] = 1 / q;
      this.xb[k] = (demand[k] as number) / q;
    }
  }

  add(p: Pattern): number {
    this.columns.push({ a: Float64Array.from(p.counts), cost: p.price, pattern: p });
    return this.columns.length - 1;
  }

  /** π = c_B B⁻¹. */
  duals(): Float64Array {
    const K = this.demand.length;
    const pi = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      const b = this.basis[i] as number;
      const c = b >= 0 ? (this.columns[b] as { cost: number }).cost : 0;
      if (c === 0) continue;
      for (let k = 0; k < K; k++) pi[k] = (pi[k] as number) + c * (this.binv[i * K + k] as number);
    }
    return pi;
  }

  value(): number {
    let v = 0;
    for (let i = 0; i < this.demand.length; i++) {
      const b = this.basis[i] as number;
      if (b >= 0) v += (this.columns[b] as { cost: number }).cost * (this.xb[i] as number);
    }
    return v;
  }

  /**
   * Recomputes B⁻¹ and x_B from the basis columns (Gauss-Jordan with partial pivoting), so the
   * rounding errors of many product-form updates do not accumulate. False if B is singular.
   */
  private refactor(): boolean {
    const K = this.demand.length;
    const a = new Float64Array(K * 2 * K);
    const W = 2 * K;
    for (let i = 0; i < K; i++) {
      const b = this.basis[i] as number;
      // Column i of B.
      for (let k = 0; k < K; k++) a[k * W + i] = b >= 0 ? ((this.columns[b] as { a: Float64Array }).a[k] as number) : (k === -b - 1 ? -1 : 0);
    }
    for (let k = 0; k < K; k++) a[k * W + K + k] = 1;
    for (let c = 0; c < K; c++) {
      let piv = c;
      for (let r = c + 1; r < K; r++) if (Math.abs(a[r * W + c] as number) > Math.abs(a[piv * W + c] as number)) piv = r;
      if (Math.abs(a[piv * W + c] as number) < 1e-12) return false;
      if (piv !== c) for (let j = 0; j < W; j++) [a[c * W + j], a[piv * W + j]] = [a[piv * W + j] as number, a[c * W + j] as number];
      const d = a[c * W + c] as number;
      for (let j = 0; j < W; j++) a[c * W + j] = (a[c * W + j] as number) / d;
      for (let r = 0; r < K; r++) {
        if (r === c) continue;
        const f = a[r * W + c] as number;
        if (f === 0) continue;
        for (let j = 0; j < W; j++) a[r * W + j] = (a[r * W + j] as number) - f * (a[c * W + j] as number);
      }
    }
    for (let i = 0; i < K; i++) {
      let x = 0;
      for (let k = 0; k < K; k++) {
        const v = a[i * W + K + k] as number;
        this.binv[i * K + k] = v;
        x += v * (this.demand[k] as number);
      }
      this.xb[i] = Math.max(0, x);
    }
    return true;
  }

  /** Optimizes over the current columns (Dantzig's rule, Bland's after many pivots against cycling). */
  optimize(): void {
    const K = this.demand.length;
    const w = new Float64Array(K);
    for (let iter = 0; iter < 50_000; iter++) {
      if (iter % 25 === 24) this.refactor();
      const pi = this.duals();
      const bland = iter > 20 * K + 200;
      // Entering column: the most negative reduced cost (the lowest index with a negative one
      // under Bland). Surplus column k (-e_k) has reduced cost π_k.
      let enter = 0; // column index, or -(k+1) for surplus k
      let best = 0;
      let found = false;
      for (let j = 0; j < this.columns.length && !(bland && found); j++) {
        const col = this.columns[j] as { a: Float64Array; cost: number };
        let d = col.cost;
        for (let k = 0; k < K; k++) d -= (pi[k] as number) * (col.a[k] as number);
        if (d < -1e-9 * Math.max(1, col.cost) && d < best) {
          enter = j;
          best = d;
          found = true;
        }
      }
      for (let k = 0; k < K && !(bland && found); k++) {
        if ((pi[k] as number) < -1e-12 && (pi[k] as number) < best) {
          enter = -(k + 1);
          best = pi[k] as number;
          found = true;
        }
      }
      if (!found) return;
      // w = B⁻¹ a_enter
      for (let i = 0; i < K; i++) {
        let s = 0;
        if (enter >= 0) {
          const a = (this.columns[enter] as { a: Float64Array }).a;
          for (let k = 0; k < K; k++) s += (this.binv[i * K + k] as number) * (a[k] as number);
        } else s = -(this.binv[i * K + (-enter - 1)] as number);
        w[i] = s;
      }
      let leave = -1;
      let ratio = Infinity;
      for (let i = 0; i < K; i++) {
        if ((w[i] as number) > 1e-12) {
          const r = (this.xb[i] as number) / (w[i] as number);
          if (r < ratio - 1e-12 || (bland && Math.abs(r - ratio) <= 1e-12 && leave >= 0 && (this.basis[i] as number) < (this.basis[leave] as number))) {
            ratio = r;
            leave = i;
          }
        }
      }
      if (leave < 0) throw new Error('configuration LP is unbounded (a pattern with negative price?)');
      const pivot = w[leave] as number;
      for (let k = 0; k < K; k++) this.binv[leave * K + k] = (this.binv[leave * K + k] as number) / pivot;
      this.xb[leave] = (this.xb[leave] as number) / pivot;
      for (let i = 0; i < K; i++) {
        if (i === leave) continue;
        const f = w[i] as number;
        if (f === 0) continue;
        for (let k = 0; k < K; k++) this.binv[i * K + k] = (this.binv[i * K + k] as number) - f * (this.binv[leave * K + k] as number);
        this.xb[i] = Math.max(0, (this.xb[i] as number) - f * (this.xb[leave] as number));
      }
      this.basis[leave] = enter;
    }
  }

  solution(): Pattern[] {
    const out: Pattern[] = [];
    for (let i = 0; i < this.demand.length; i++) {
      const b = this.basis[i] as number;
      if (b < 0 || (this.xb[i] as number) <= 1e-12) continue;
      const p = (this.columns[b] as { pattern: Pattern | undefined }).pattern as Pattern;
      out.push({ ...p, nodes: this.xb[i] as number });
    }
    return out;
  }
}

/** Solves the configuration LP of `sizes` over `types` (see the file comment). */
export function configurationLp(sizes: readonly PodSize[], types: readonly PricedRoom[], options: ConfigurationLpOptions = {}): ConfigurationLpResult {
  const maxRounds = options.maxRounds ?? 60;
  const budget = options.knapsackBudget ?? 2_000;
  const useful = undominated(types);
  const unplaceable: number[] = [];
  const kept: number[] = [];
  for (let k = 0; k < sizes.length; k++) {
    const s = sizes[k] as PodSize;
    if (s.count <= 0) continue;
    if (useful.some((t) => fitCount(types[t] as PricedRoom, s) > 0)) kept.push(k);
    else unplaceable.push(k);
  }
  const K = kept.length;
  if (K === 0) return { bound: 0, lpValue: 0, exact: true, patterns: [], unplaceable, iterations: 0 };
  const local = kept.map((k) => sizes[k] as PodSize);
  const demand = Float64Array.from(local, (s) => s.count);

  // The cheapest homogeneous pattern per size starts the basis.
  const initial: Pattern[] = local.map((s, k) => {
    let best: Pattern | undefined;
    for (const t of useful) {
      const room = types[t] as PricedRoom;
      const q = fitCount(room, s);
      if (q <= 0) continue;
      if (!best || room.price / q < best.price / (best.counts[k] as number)) {
        const counts = new Int32Array(K);
        counts[k] = q;
        best = { type: t, counts, price: room.price, nodes: 0 };
      }
    }
    return best as Pattern;
  });
  const master = new Master(demand, initial);

  let bound = 0;
  let rounds = 0;
  let exact = false;
  // Cheap pricing first; once it finds nothing, the same round again with the full budget, which
  // either finds a column the cheap search missed or tightens θ for the final bound.
  let thorough = false;
  const valued: ValuedSize[] = local.map((s) => ({ cores: s.cores, gib: s.gib, count: s.count, value: 0 }));
  while (rounds < maxRounds) {
    rounds++;
    master.optimize();
    const pi = master.duals();
    let piDemand = 0;
    for (let k = 0; k < K; k++) {
      const v = Math.max(0, pi[k] as number);
      (valued[k] as ValuedSize).value = v;
      piDemand += v * (demand[k] as number);
    }
    let theta = 1;
    let added = 0;
    let allExact = true;
    for (const t of useful) {
      const room = types[t] as PricedRoom;
      const r = bestPattern(room, valued, thorough ? budget : Math.min(budget, 100));
      if (!r.exact) allExact = false;
      theta = Math.max(theta, r.upperBound / room.price);
      if (r.value > room.price * (1 + 1e-9)) {
        master.add({ type: t, counts: Int32Array.from(kept.map((_, k) => r.counts[k] as number)), price: room.price, nodes: 0 });
        added++;
      }
    }
    bound = Math.max(bound, piDemand / theta);
    if (added > 0) {
      thorough = false;
      continue;
    }
    if (allExact) {
      exact = true;
      break;
    }
    if (thorough) break;
    thorough = true;
  }
  const lpValue = master.value();
  // Only Farley's bound is reported as a bound: it needs nothing of the restricted LP but duals
  // π >= 0 and knapsack upper bounds, so not even rounding in the simplex can make it invalid.
  const patterns = master.solution().map((p) => {
    const counts = new Int32Array(sizes.length);
    for (let k = 0; k < K; k++) counts[kept[k] as number] = p.counts[k] as number;
    return { ...p, counts };
  });
  return { bound: Math.min(bound, lpValue), lpValue, exact, patterns, unplaceable, iterations: rounds };
}
