import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withConditions } from './conditions.js';

const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-01T00:05:00Z');

describe('NodeClaim conditions', () => {
  it('rolls Launched, Registered and Initialized up into Ready', () => {
    let c = withConditions([], [{ type: 'Launched', status: 'True', reason: 'Launched', message: '' }], t0);
    assert.deepEqual(c.find((x) => x.type === 'Ready'), { type: 'Ready', status: 'Unknown', reason: 'AwaitingRegistered', message: 'waiting for the node to be registered', lastTransitionTime: '2025-01-01T00:00:00Z' });
    c = withConditions(c, [{ type: 'Registered', status: 'True', reason: 'Registered', message: '' }, { type: 'Initialized', status: 'True', reason: 'Initialized', message: '' }], t1);
    assert.equal(c.find((x) => x.type === 'Ready')?.status, 'True');
    const failed = withConditions([], [{ type: 'Launched', status: 'False', reason: 'InsufficientCapacity', message: 'no stock' }], t0);
    assert.deepEqual(failed.find((x) => x.type === 'Ready')?.reason, 'LaunchedFalse');
  });

  it('moves lastTransitionTime only when the status changes, and returns the same array when nothing changed', () => {
    const a = withConditions([], [{ type: 'Registered', status: 'Unknown', reason: 'NodeNotFound', message: 'waiting' }], t0);
    const b = withConditions(a, [{ type: 'Registered', status: 'Unknown', reason: 'NodeNotFound', message: 'still waiting' }], t1);
    assert.equal(b.find((x) => x.type === 'Registered')?.lastTransitionTime, '2025-01-01T00:00:00Z');
    const c = withConditions(b, [{ type: 'Registered', status: 'True', reason: 'Registered', message: '' }], t1);
    assert.equal(c.find((x) => x.type === 'Registered')?.lastTransitionTime, '2025-01-01T00:05:00Z');
    assert.equal(withConditions(c, [{ type: 'Registered', status: 'True', reason: 'Registered', message: '' }], t1), c);
  });
});
