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

describe('podShareLowerBound', () => {
  it('does not let a cheap small type lend its cores to pods too big for it', async () => {
    const { podShareLowerBound, fractionalLowerBoundForPods } = await import('./lower-bound.js');
    const { instanceType, pods } = await import('./test-fixtures.js');
    const tiny = instanceType('tiny', 1, 2, { price: 0.01 });
    const big = instanceType('big', 8, 16, { price: 1 });
    const work = pods(4, { cpu: 4000, mem: 4 * Gi });
    const aggregate = fractionalLowerBoundForPods(work, [tiny, big]).price;
    const share = podShareLowerBound(work, [tiny, big]);
    // 16 cores: the aggregate bound buys them from `tiny` (0.16); only `big` can hold a 4-core pod (2 per node).
    assert.ok(aggregate < 0.2);
    assert.ok(Math.abs(share - 2) < 1e-9, `share bound ${share}`);
  });

  it('never exceeds the price of a feasible plan', async () => {
    const { podShareLowerBound, fractionalLowerBoundForPods } = await import('./lower-bound.js');
    const { instanceType, pod, seededRandom } = await import('./test-fixtures.js');
    const { solve } = await import('./scheduler.js');
    for (let seed = 1; seed <= 40; seed++) {
      const rng = seededRandom(seed);
      const types = Array.from({ length: 6 }, (_, i) => instanceType(`t${i}`, [1, 2, 4, 8][Math.floor(rng() * 4)] as number, [2, 4, 8, 32][Math.floor(rng() * 4)] as number, {
        price: 0.05 + rng(), pods: [2, 6, 30][Math.floor(rng() * 3)] as number,
      }));
      const work = Array.from({ length: 30 }, () => pod({ cpu: [100, 500, 1000][Math.floor(rng() * 3)] as number, mem: [256, 1024, 2048][Math.floor(rng() * 3)] as number * 2 ** 20 }));
      const plan = solve({ pods: work, nodePools: [{ name: 'p' }], instanceTypes: types });
      if (plan.unschedulable.size > 0) continue;
      const price = plan.newClaims.reduce((s, c) => s + c.price, 0);
      assert.ok(podShareLowerBound(work, types) <= price + 1e-9, `seed ${seed}: share bound above plan`);
      assert.ok(fractionalLowerBoundForPods(work, types).price <= price + 1e-9, `seed ${seed}: aggregate bound above plan`);
    }
  });
});
