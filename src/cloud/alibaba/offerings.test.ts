import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleOfferings, availabilityFrom, mapWithConcurrency, spotPriceKey, TtlCache } from './offerings.js';

const body = {
  availableZones: {
    availableZone: [
      {
        zoneId: 'cn-hangzhou-h',
        status: 'Available',
        availableResources: {
          availableResource: [
            {
              type: 'InstanceType',
              supportedResources: {
                supportedResource: [
                  { value: 'ecs.g7.large', status: 'Available' },
                  { value: 'ecs.g7.xlarge', status: 'SoldOut' },
                ],
              },
            },
          ],
        },
      },
      {
        zoneId: 'cn-hangzhou-i',
        status: 'SoldOut',
        availableResources: {
          availableResource: [{ type: 'InstanceType', supportedResources: { supportedResource: [{ value: 'ecs.g7.large', status: 'Available' }] } }],
        },
      },
    ],
  },
};

describe('offerings', () => {
  it('list sold-out types and closed zones as unavailable instead of dropping them', () => {
    assert.deepEqual(availabilityFrom(body, 'spot'), [
      { instanceType: 'ecs.g7.large', zone: 'cn-hangzhou-h', capacityType: 'spot', available: true },
      { instanceType: 'ecs.g7.xlarge', zone: 'cn-hangzhou-h', capacityType: 'spot', available: false },
      { instanceType: 'ecs.g7.large', zone: 'cn-hangzhou-i', capacityType: 'spot', available: false },
    ]);
  });

  it('price spot per zone, fall back to the pay-as-you-go ceiling, and leave out what has no price', () => {
    const availability = [
      ...availabilityFrom(body, 'on-demand'),
      ...availabilityFrom(body, 'spot'),
    ];
    const offerings = assembleOfferings(availability, {
      onDemand: new Map([['ecs.g7.large', 0.5]]),
      spot: new Map([[spotPriceKey('ecs.g7.large', 'cn-hangzhou-h'), 0.12]]),
    });
    assert.deepEqual(
      offerings.map((o) => [o.instanceType, o.zone, o.capacityType, o.pricePerHour, o.available]),
      [
        ['ecs.g7.large', 'cn-hangzhou-h', 'on-demand', 0.5, true],
        ['ecs.g7.large', 'cn-hangzhou-h', 'spot', 0.12, true],
        ['ecs.g7.large', 'cn-hangzhou-i', 'on-demand', 0.5, false],
        ['ecs.g7.large', 'cn-hangzhou-i', 'spot', 0.5, false],
      ],
    );
  });

  it('cache values for their TTL and keep the stale one for failures', () => {
    let now = 0;
    const cache = new TtlCache<number>(1000, () => now);
    cache.set('a', 1);
    now = 999;
    assert.equal(cache.get('a'), 1);
    now = 1000;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.getStale('a'), 1);
  });

  it('run at most the given number of tasks at once and keep the order of results', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return n * 10;
    });
    assert.deepEqual(results, [10, 20, 30, 40, 50, 60, 70]);
    assert.equal(peak, 3);
  });
});
