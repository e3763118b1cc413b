import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, resourcesFromQuantities } from './quantity.js';
import { podRequests } from './resources.js';
import type { PodSpecLite } from './types.js';

const Mi = 2 ** 20;
const base = { uid: 'u', name: 'p', namespace: 'default' };

describe('quantities', () => {
  it('parses decimal, binary and exponent forms', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseQuantity('2k'), 2000);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.throws(() => parseQuantity('12 apples'));
  });

  it('converts cpu to millicores and the rest to base units', () => {
    assert.deepEqual(resourcesFromQuantities({ cpu: '250m', memory: '256Mi', 'nvidia.com/gpu': '1' }), { cpu: 250, memory: 256 * Mi, 'nvidia.com/gpu': 1 });
    assert.deepEqual(resourcesFromQuantities({ cpu: '1' }), { cpu: 1000 });
  });
});

describe('podRequests', () => {
  it('sums containers and adds one pod slot', () => {
    const pod: PodSpecLite = { ...base, containers: [{ requests: { cpu: 100, memory: Mi } }, { requests: { cpu: 200 } }] };
    assert.deepEqual(podRequests(pod), { cpu: 300, memory: Mi, pods: 1 });
  });

  it('uses limits when requests are absent', () => {
    const pod: PodSpecLite = { ...base, containers: [{ limits: { cpu: 500, memory: 2 * Mi }, requests: { memory: Mi } }] };
    assert.deepEqual(podRequests(pod), { cpu: 500, memory: Mi, pods: 1 });
  });

  it('takes the max of init containers and the app containers', () => {
    const pod: PodSpecLite = {
      ...base,
      initContainers: [{ requests: { cpu: 2000 } }, { requests: { cpu: 100, memory: 8 * Mi } }],
      containers: [{ requests: { cpu: 300, memory: Mi } }],
    };
    assert.deepEqual(podRequests(pod), { cpu: 2000, memory: 8 * Mi, pods: 1 });
  });

  it('runs sidecars beside later init containers and the app containers', () => {
    const pod: PodSpecLite = {
      ...base,
      initContainers: [
        { requests: { cpu: 100 }, restartPolicy: 'Always' },
        { requests: { cpu: 1000 } },
      ],
      containers: [{ requests: { cpu: 300 } }],
    };
    // During the second init container: sidecar 100 + 1000; afterwards: 300 + sidecar 100.
    assert.equal(podRequests(pod).cpu, 1100);
    const small: PodSpecLite = { ...pod, initContainers: [{ requests: { cpu: 100 }, restartPolicy: 'Always' }, { requests: { cpu: 50 } }] };
    assert.equal(podRequests(small).cpu, 400);
  });

  it('adds pod overhead', () => {
    const pod: PodSpecLite = { ...base, containers: [{ requests: { cpu: 100 } }], overhead: { cpu: 250, memory: 64 * Mi } };
    assert.deepEqual(podRequests(pod), { cpu: 350, memory: 64 * Mi, pods: 1 });
  });
});
