// The pricing problem of the configuration LP: which counts of each pod size one node of a type
// should hold to be worth the most, under per-size values. A small branch and bound over sizes with
// surrogate fractional-knapsack bounds. It always returns a VALID upper bound on the best value (the
// optimum when it finished within its node budget), because the lower bound built on it must hold.
import { maximizeWithSlackBasis } from './lp.js';

/** One node's room: CPU cores, memory GiB and pod slots. */
export interface NodeRoom {
  cores: number;
  memoryGiB: number;
  podSlots: number;
}

/** A pod size: cores, GiB, a value per pod and how many pods of it exist. */
export interface ValuedSize {
  cores: number;
  gib: number;
  value: number;
  count: number;
}

export interface KnapsackResult {
  /** Counts per size of the best pattern found (same order as the sizes). */
  counts: Int32Array;
  value: number;
  /** A valid upper bound on the optimum: within the gap tolerance of `value` when `exact`. */
  upperBound: number;
  /** The search finished: `value` is optimal up to the gap tolerance. */
  exact: boolean;
}

const eps = 1e-9;

interface RelaxedKnapsack {
  /** Dual multipliers of the three room constraints, as shares of the room. */
  multipliers: [number, number, number];
  /** The relaxation's solution, per item. */
  x: number[];
}

/** The knapsack's LP relaxation (items as in the search's order), or undefined for an empty room. */
function relaxation(room: NodeRoom, cores: Float64Array, gib: Float64Array, value: Float64Array, upper: Int32Array): RelaxedKnapsack | undefined {
  const n = value.length;
  if (n === 0 || room.cores <= 0 || room.memoryGiB <= 0 || room.podSlots <= 0) return undefined;
  const rows: number[][] = [
    Array.from(cores, (c) => c / room.cores),
    Array.from(gib, (g) => g / room.memoryGiB),
    new Array<number>(n).fill(1 / room.podSlots),
  ];
  const rhs = [1, 1, 1];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n).fill(0);
    row[i] = 1;
    rows.push(row);
    rhs.push(upper[i] as number);
  }
  const lp = maximizeWithSlackBasis(Array.from(value), rows, rhs);
  const [c = 0, m = 0, p = 0] = lp.rowDuals;
  return { multipliers: [Math.max(0, c), Math.max(0, m), Math.max(0, p)], x: lp.y };
}

/** Most pods of a size one node can hold on its own. */
export function fitCount(room: NodeRoom, size: Pick<ValuedSize, 'cores' | 'gib' | 'count'>): number {
  let n = Math.min(size.count, room.podSlots);
  if (size.cores > 0) n = Math.min(n, Math.floor(room.cores / size.cores + eps));
  if (size.gib > 0) n = Math.min(n, Math.floor(room.memoryGiB / size.gib + eps));
  return Math.max(0, n);
}

/**
 * Maximizes Σ value·count over patterns that fit the room. `budget` caps the search nodes; past
 * it the answer is the best pattern seen with an upper bound from the unexplored branches.
 */
export function bestPattern(room: NodeRoom, sizes: readonly ValuedSize[], budget = 20_000, gapTolerance = 0.002): KnapsackResult {
  const K = sizes.length;
  const counts = new Int32Array(K);
  // Items worth considering, most valuable per unit of the room's dominant share first.
  const items: number[] = [];
  for (let k = 0; k < K; k++) if ((sizes[k] as ValuedSize).value > eps && fitCount(room, sizes[k] as ValuedSize) > 0) items.push(k);
  const share = (k: number) => {
    const s = sizes[k] as ValuedSize;
    return s.cores / Math.max(room.cores, eps) + s.gib / Math.max(room.memoryGiB, eps) + 1 / Math.max(room.podSlots, eps);
  };
  items.sort((a, b) => (sizes[b] as ValuedSize).value / share(b) - (sizes[a] as ValuedSize).value / share(a) || a - b);
  const n = items.length;
  const cores = new Float64Array(n);
  const gib = new Float64Array(n);
  const value = new Float64Array(n);
  const upper = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sizes[items[i] as number] as ValuedSize;
    cores[i] = s.cores;
    gib[i] = s.gib;
    value[i] = s.value;
    upper[i] = fitCount(room, s);
  }
  // Surrogate constraints: each is a nonnegative mix of the three, so each fractional knapsack
  // over one of them bounds the true optimum from above. Per surrogate, item order by value/weight.
  const mixes: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
  // The LP relaxation's own multipliers make the surrogate bound equal to the LP bound at the root,
  // so a search cut short still answers with (at worst) the LP bound.
  const relaxed = relaxation(room, cores, gib, value, upper);
  if (relaxed && relaxed.multipliers.some((w) => w > eps)) mixes.push(relaxed.multipliers);
  const surrogates = mixes.map(([wc, wm, wp]) => {
    const weight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      weight[i] = wc * (room.cores > 0 ? (cores[i] as number) / room.cores : 0) + wm * (room.memoryGiB > 0 ? (gib[i] as number) / room.memoryGiB : 0)
        + wp * (room.podSlots > 0 ? 1 / room.podSlots : 0);
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (value[b] as number) / Math.max(weight[b] as number, eps) - (value[a] as number) / Math.max(weight[a] as number, eps));
    return { wc, wm, wp, weight, order: Int32Array.from(order) };
  });

  // Fractional bound on items from `from` on, given the room left.
  const bound = (from: number, c: number, m: number, p: number): number => {
    let best = Infinity;
    for (const s of surrogates) {
      let cap = s.wc * (room.cores > 0 ? c / room.cores : 0) + s.wm * (room.memoryGiB > 0 ? m / room.memoryGiB : 0) + s.wp * (room.podSlots > 0 ? p / room.podSlots : 0);
      let total = 0;
      for (let j = 0; j < n && cap > eps; j++) {
        const i = s.order[j] as number;
        if (i < from) continue;
        const w = s.weight[i] as number;
        const u = Math.min(upper[i] as number, Math.floor(c / Math.max(cores[i] as number, eps) + eps), Math.floor(m / Math.max(gib[i] as number, eps) + eps), p);
        if (u <= 0) continue;
        if (w <= eps) {
          total += u * (value[i] as number);
          continue;
        }
        const take = Math.min(u, cap / w);
        total += take * (value[i] as number);
        cap -= take * w;
      }
      if (total < best) best = total;
    }
    return best;
  };

  const current = new Int32Array(n);
  const bestCounts = new Int32Array(n);
  let bestValue = 0;
  if (relaxed) {
    // Incumbent: the relaxation rounded down, then filled greedily in search order.
    let c = room.cores;
    let m = room.memoryGiB;
    let p = room.podSlots;
    let v = 0;
    const take = (i: number, a: number) => {
      current[i] = (current[i] as number) + a;
      c -= a * (cores[i] as number);
      m -= a * (gib[i] as number);
      p -= a;
      v += a * (value[i] as number);
    };
    for (let i = 0; i < n; i++) take(i, Math.min(upper[i] as number, Math.floor((relaxed.x[i] ?? 0) + eps)));
    for (let i = 0; i < n; i++) {
      const more = Math.min((upper[i] as number) - (current[i] as number), Math.floor(c / Math.max(cores[i] as number, eps) + eps), Math.floor(m / Math.max(gib[i] as number, eps) + eps), p);
      if (more > 0) take(i, more);
    }
    if (c >= -eps && m >= -eps && p >= 0) {
      bestValue = v;
      bestCounts.set(current);
    }
    current.fill(0);
  }
  let nodes = 0;
  let cutOff = 0; // the largest bound of a branch left unexplored for lack of budget
  // Branches that could beat the incumbent by less than the tolerance are not worth proving: big
  // rooms hold so many pods that the LP bound is within a fraction of a percent of the optimum,
  // yet closing that last gap by search takes millions of nodes. Their bounds stay in the answer.
  let tolerated = 0;
  const dfs = (i: number, c: number, m: number, p: number, v: number): void => {
    if (v > bestValue + eps) {
      bestValue = v;
      bestCounts.set(current);
    }
    if (i >= n || p <= 0) return;
    const ub = v + bound(i, c, m, p);
    if (ub <= bestValue + eps) return;
    if (ub <= bestValue * (1 + gapTolerance)) {
      if (ub > tolerated) tolerated = ub;
      return;
    }
    if (++nodes > budget) {
      if (ub > cutOff) cutOff = ub;
      return;
    }
    const most = Math.min(upper[i] as number, Math.floor(c / Math.max(cores[i] as number, eps) + eps), Math.floor(m / Math.max(gib[i] as number, eps) + eps), p);
    for (let a = most; a >= 0; a--) {
      current[i] = a;
      dfs(i + 1, c - a * (cores[i] as number), m - a * (gib[i] as number), p - a, v + a * (value[i] as number));
    }
    current[i] = 0;
  };
  dfs(0, room.cores, room.memoryGiB, room.podSlots, 0);
  for (let i = 0; i < n; i++) counts[items[i] as number] = bestCounts[i] as number;
  const upperBound = Math.max(bestValue, cutOff, tolerated);
  return { counts, value: bestValue, upperBound, exact: cutOff <= bestValue * (1 + gapTolerance) + eps };
}
