import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fractionalLowerBound, packingEfficiency } from './lower-bound.js';

const Gi = 2 ** 30;

describe('fractionalLowerBound', () => {
  it('equals the cheapest single type when one type dominates', () => {
    const b = fractionalLowerBound({ cpu: 8000, memory: 16 * Gi, pods: 4 }, [
      { cores: 2, memoryGiB: 4, podSlots: 100, price: 1 },
      { cores: 2, memoryGiB: 4, podSlots: 100, price: 2 },
    ]);
    assert.ok(Math.abs(b.price - 4) < 1e-9);
  });

  it('mixes a CPU-heavy and a memory-heavy type for a balanced demand', () => {
    // 4 cores + 4 GiB: c (2c/1G, 1.0) and r (1c/4G, 1.0): solve 2x + y = 4, x + 4y = 4 -> x = 12/7, y = 4/7.
    const b = fractionalLowerBound({ cpu: 4000, memory: 4 * Gi, pods: 0 }, [
      { cores: 2, memoryGiB: 1, podSlots: 10, price: 1 },
      { cores: 1, memoryGiB: 4, podSlots: 10, price: 1 },
    ]);
    assert.ok(Math.abs(b.price - 16 / 7) < 1e-9);
    // Dual prices make both types fully efficient.
    assert.ok(Math.abs(packingEfficiency(b, { cores: 2, memoryGiB: 1, podSlots: 10, price: 1 }) - 1) < 1e-9);
  });

  it('counts pod slots when density binds', () => {
    const b = fractionalLowerBound({ cpu: 100, memory: 0.1 * Gi, pods: 20 }, [{ cores: 8, memoryGiB: 16, podSlots: 5, price: 1 }]);
    assert.ok(Math.abs(b.price - 4) < 1e-9);
  });
});
