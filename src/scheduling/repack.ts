// Re-packing interchangeable pods onto new nodes, cheapest per unit of value first: a greedy for
// the covering problem whose LP relaxation the configuration bound solves. Each step fills one node
// of every type with the remaining pods (most valuable per share of that type's room first) and
// keeps the node whose price per value is lowest, so big efficient types are bought while there are
// enough pods to fill them and small ones take the remainder. Pod values start at what a pod costs
// on a node of its own and are re-weighted between rounds by how efficiently each size was packed.
//
// Pure arithmetic over sizes and types; the scheduler decides which pods are interchangeable and
// turns the nodes back into claims.

/** Identical pods: per-dimension requests, whether each takes a pod IP, how many. */
export interface RepackSize {
  need: Float64Array;
  /** Pod IP slots one pod takes (0 for host-network pods). */
  ips: number;
  count: number;
  /** What one pod would cost on a node of its own: the starting value. */
  alonePrice: number;
}

/** A type as the pool would launch it: room after DaemonSet overhead, pod IP slots, price. */
export interface RepackType {
  room: Float64Array;
  ipSlots: number;
  price: number;
}

export interface RepackNode {
  type: number;
  /** Pods per size. */
  counts: Int32Array;
}

export interface RepackPlan {
  nodes: RepackNode[];
  price: number;
}

const eps = 1e-9;

/** Types no other type beats on every dimension and IP slots at no higher price. */
export function usefulTypes(types: readonly RepackType[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < types.length; i++) {
    const t = types[i] as RepackType;
    if (!Number.isFinite(t.price)) continue;
    let dominated = false;
    for (let j = 0; j < types.length && !dominated; j++) {
      if (j === i) continue;
      const u = types[j] as RepackType;
      if (!(u.price <= t.price && u.ipSlots >= t.ipSlots)) continue;
      let geq = true;
      let strict = u.price < t.price || u.ipSlots > t.ipSlots;
      for (let d = 0; d < t.room.length && geq; d++) {
        if ((u.room[d] as number) < (t.room[d] as number)) geq = false;
        else if ((u.room[d] as number) > (t.room[d] as number)) strict = true;
      }
      if (geq && (strict || j < i)) dominated = true;
    }
    if (!dominated) out.push(i);
  }
  return out;
}

/** Most pods of `size` that fit in what is left of a node. */
function fitting(size: RepackSize, left: Float64Array, ipLeft: number, limit: number): number {
  let a = limit;
  if (size.ips > 0) a = Math.min(a, Math.floor(ipLeft / size.ips));
  for (let d = 0; d < left.length && a > 0; d++) {
    const n = size.need[d] as number;
    if (n <= 0) continue;
    let q = Math.floor((left[d] as number) / n);
    while (q > 0 && q * n > (left[d] as number)) q--;
    if (q < a) a = q;
  }
  return Math.max(0, a);
}

/** The largest share of the type's room one pod of the size takes. */
function dominantShare(size: RepackSize, t: RepackType): number {
  let s = size.ips > 0 && t.ipSlots > 0 ? size.ips / t.ipSlots : 0;
  for (let d = 0; d < t.room.length; d++) {
    const n = size.need[d] as number;
    if (n <= 0) continue;
    const r = t.room[d] as number;
    s = Math.max(s, r > 0 ? n / r : Infinity);
  }
  return s;
}

/** One greedy pass under the given values per pod of each size. */
export function greedyPack(sizes: readonly RepackSize[], types: readonly RepackType[], useful: readonly number[], values: Float64Array): RepackPlan | undefined {
  const K = sizes.length;
  const remaining = Int32Array.from(sizes, (s) => s.count);
  let left = remaining.reduce((a, b) => a + b, 0);
  // Per type, sizes by value per dominant share, best first (fixed for the pass).
  const orders = useful.map((t) => {
    const type = types[t] as RepackType;
    const share = sizes.map((s) => dominantShare(s, type));
    return Int32Array.from(sizes.map((_, k) => k).filter((k) => (share[k] as number) <= 1 + eps)
      .sort((a, b) => (values[b] as number) / (share[b] as number) - (values[a] as number) / (share[a] as number) || a - b));
  });
  const dims = sizes[0]?.need.length ?? 0;
  const room = new Float64Array(dims);
  const counts = new Int32Array(K);
  const bestCounts = new Int32Array(K);
  const nodes: RepackNode[] = [];
  let price = 0;
  while (left > 0) {
    let bestType = -1;
    let bestRatio = Infinity;
    let bestPrice = Infinity;
    for (let u = 0; u < useful.length; u++) {
      const t = useful[u] as number;
      const type = types[t] as RepackType;
      room.set(type.room);
      let ipLeft = type.ipSlots;
      let value = 0;
      counts.fill(0);
      for (const k of orders[u] as Int32Array) {
        const rem = remaining[k] as number;
        if (rem === 0) continue;
        const size = sizes[k] as RepackSize;
        const a = fitting(size, room, ipLeft, rem);
        if (a === 0) continue;
        counts[k] = a;
        value += a * (values[k] as number);
        ipLeft -= a * size.ips;
        for (let d = 0; d < dims; d++) room[d] = (room[d] as number) - a * (size.need[d] as number);
      }
      if (value <= 0) continue;
      const ratio = type.price / value;
      if (ratio < bestRatio - eps || (ratio <= bestRatio + eps && type.price < bestPrice)) {
        bestRatio = ratio;
        bestPrice = type.price;
        bestType = t;
        bestCounts.set(counts);
      }
    }
    if (bestType < 0) return undefined; // some pod fits no type
    // The same node again for half the copies its pods allow: the choice rarely changes while its
    // pods remain, and halving keeps the number of full scans logarithmic per pattern.
    let copies = Infinity;
    for (let k = 0; k < K; k++) if ((bestCounts[k] as number) > 0) copies = Math.min(copies, Math.floor((remaining[k] as number) / (bestCounts[k] as number)));
    copies = Math.max(1, Math.floor(copies / 2));
    for (let c = 0; c < copies; c++) {
      nodes.push({ type: bestType, counts: bestCounts.slice() });
      price += bestPrice;
      for (let k = 0; k < K; k++) {
        remaining[k] = (remaining[k] as number) - (bestCounts[k] as number);
        left -= bestCounts[k] as number;
      }
    }
  }
  return { nodes, price };
}

/**
 * Several greedy passes: values start at each size's alone price; after a pass, a size whose pods
 * landed on nodes that were poor value for their price gains weight, so the next pass packs it
 * into efficient nodes first. Returns the cheapest plan seen.
 */
export function repack(sizes: readonly RepackSize[], types: readonly RepackType[], rounds = 4): RepackPlan | undefined {
  if (sizes.length === 0) return { nodes: [], price: 0 };
  const useful = usefulTypes(types);
  const values = Float64Array.from(sizes, (s) => Math.max(s.alonePrice, eps));
  let best: RepackPlan | undefined;
  for (let round = 0; round < rounds; round++) {
    const plan = greedyPack(sizes, types, useful, values);
    if (!plan) return best;
    if (!best || plan.price < best.price - eps) best = plan;
    // Cost each size actually bore: node price split in proportion to the values it holds.
    const paid = new Float64Array(sizes.length);
    for (const node of plan.nodes) {
      let value = 0;
      for (let k = 0; k < sizes.length; k++) value += (node.counts[k] as number) * (values[k] as number);
      const ratio = (types[node.type] as RepackType).price / value;
      for (let k = 0; k < sizes.length; k++) paid[k] = (paid[k] as number) + (node.counts[k] as number) * (values[k] as number) * ratio;
    }
    for (let k = 0; k < sizes.length; k++) {
      const perPod = (paid[k] as number) / Math.max(1, (sizes[k] as RepackSize).count);
      values[k] = Math.sqrt((values[k] as number) * Math.max(perPod, eps));
    }
  }
  return best;
}
