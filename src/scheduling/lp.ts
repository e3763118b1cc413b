// A small dense simplex for the fractional lower bound: maximize b·y subject to A y <= c, y >= 0,
// with c >= 0 (so the slack basis is feasible and no phase one is needed). Rows are instance types,
// columns resources; a handful of columns and a few hundred rows solve in well under a millisecond.

export interface LpSolution {
  value: number;
  y: number[];
  /** Dual value of each row (the optimal multiplier of `rows[i]·y <= c[i]`). */
  rowDuals: number[];
}

const eps = 1e-12;

export function maximizeWithSlackBasis(b: readonly number[], rows: readonly (readonly number[])[], c: readonly number[]): LpSolution {
  const n = b.length;
  const m = rows.length;
  const width = n + m + 1; // variables, slacks, right-hand side
  const t = new Float64Array((m + 1) * width);
  for (let i = 0; i < m; i++) {
    const row = rows[i] as readonly number[];
    for (let j = 0; j < n; j++) t[i * width + j] = row[j] ?? 0;
    t[i * width + n + i] = 1;
    t[i * width + width - 1] = c[i] ?? 0;
  }
  const obj = m * width;
  for (let j = 0; j < n; j++) t[obj + j] = -(b[j] ?? 0);
  const basis = new Int32Array(m);
  for (let i = 0; i < m; i++) basis[i] = n + i;

  for (let iter = 0; iter < 10_000; iter++) {
    // Bland's rule: the lowest-index improving column, which cannot cycle.
    let enter = -1;
    for (let j = 0; j < n + m; j++) {
      if ((t[obj + j] ?? 0) < -eps) {
        enter = j;
        break;
      }
    }
    if (enter < 0) break;
    let leave = -1;
    let best = Infinity;
    for (let i = 0; i < m; i++) {
      const a = t[i * width + enter] ?? 0;
      if (a > eps) {
        const ratio = (t[i * width + width - 1] ?? 0) / a;
        if (ratio < best - eps || (Math.abs(ratio - best) <= eps && leave >= 0 && (basis[i] ?? 0) < (basis[leave] ?? 0))) {
          best = ratio;
          leave = i;
        }
      }
    }
    if (leave < 0) return { value: Infinity, y: new Array<number>(n).fill(Infinity), rowDuals: new Array<number>(m).fill(0) }; // unbounded
    const pivot = t[leave * width + enter] ?? 1;
    for (let j = 0; j < width; j++) t[leave * width + j] = (t[leave * width + j] ?? 0) / pivot;
    for (let i = 0; i <= m; i++) {
      if (i === leave) continue;
      const f = t[i * width + enter] ?? 0;
      if (f === 0) continue;
      for (let j = 0; j < width; j++) t[i * width + j] = (t[i * width + j] ?? 0) - f * (t[leave * width + j] ?? 0);
    }
    basis[leave] = enter;
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < m; i++) {
    const v = basis[i] ?? 0;
    if (v < n) y[v] = t[i * width + width - 1] ?? 0;
  }
  const rowDuals = Array.from({ length: m }, (_, i) => t[obj + n + i] ?? 0);
  return { value: t[obj + width - 1] ?? 0, y, rowDuals };
}
