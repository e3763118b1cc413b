// Seeded randomness, so every benchmark workload is reproducible from its seed. The generator
// itself is the scheduling core's test one (seededRandom, mulberry32), shared with its property tests.
export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** A stable hash of a string to [0, 1), for deterministic per-key variation (spot discounts). */
export function hash01(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return ((h >>> 0) % 1_000_003) / 1_000_003;
}
