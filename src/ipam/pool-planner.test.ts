// The pool's pure decisions: growth within limits and 10 a call, reclaim order, vSwitch policies,
// and the coalescing store writer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkPlane } from './network-plane.js';
import { planGrowth, planReclaim } from './pool-planner.js';
import { CoalescingWriter } from './serial.js';
import type { EniState, IpState, NodeIpamState } from './state.js';
import { orderVSwitches } from './vswitch-pool.js';

const plane: NetworkPlane = { vSwitchIds: ['vsw-a'], securityGroupIds: ['sg-1'], selectionPolicy: 'ordered' };

function eni(id: string, ips: { ip: string; podId?: string; primary?: boolean; idleSince?: number }[], sg = ['sg-1']): EniState {
  const map: Record<string, IpState> = {};
  ips.forEach((x, i) => {
    const record: IpState = { ip: x.ip, primary: x.primary ?? i === 0, status: 'Valid' };
    if (x.podId) record.podId = x.podId;
    if (x.idleSince !== undefined) record.idleSince = x.idleSince;
    map[x.ip] = record;
  });
  return { id, macAddress: '', vSwitchId: 'vsw-a', zone: 'z', securityGroupIds: sg, primaryIp: ips[0]!.ip, status: 'InUse', usage: 'Shared', createdAt: 0, ips: map };
}

function node(enis: EniState[], caps = { adapters: 3, ipv4PerAdapter: 6 }, pool = { minPoolSize: 0, maxPoolSize: 5 }): NodeIpamState {
  return { name: 'n', instanceId: 'i', instanceType: 't', zone: 'z', capacity: caps, pool, enis: Object.fromEntries(enis.map((e) => [e.id, e])) };
}

const ips = (prefix: string, n: number, podId?: (i: number) => string | undefined) =>
  Array.from({ length: n }, (_, i) => {
    const p = podId?.(i);
    return p ? { ip: `${prefix}.${i}`, podId: p } : { ip: `${prefix}.${i}` };
  });

describe('planGrowth', () => {
  it('tops up existing ENIs before creating one, never above 10 a call or the per-ENI limit', () => {
    const big = { adapters: 4, ipv4PerAdapter: 15 };
    const steps = planGrowth(node([eni('e1', ips('10.0.0', 3, () => 'x'))], big), plane, 30, () => false);
    assert.deepEqual(steps, [
      { kind: 'assign', eniId: 'e1', count: 10 },
      { kind: 'assign', eniId: 'e1', count: 2 },
      { kind: 'create', count: 10 },
      { kind: 'assign', eniId: '<new>', count: 5 },
      { kind: 'create', count: 3 },
    ]);
  });

  it('stops at (eniQuantity - 1) ENIs, counting ENIs it does not own', () => {
    const full = node([eni('e1', ips('10.0.0', 6, () => 'x'))]);
    assert.deepEqual(planGrowth(full, plane, 20, () => false), [{ kind: 'create', count: 6 }]);
    assert.deepEqual(planGrowth(full, plane, 20, () => false, { foreignEnis: 1 }), []);
  });

  it('counts addresses the cloud holds on an ENI beyond the record against its limit', () => {
    // 6 per ENI: 3 recorded (the primary among them) and 2 the cloud has that the record lacks.
    const n = node([eni('e1', ips('10.0.0', 3, () => 'x'))]);
    const unrecordedOn = (id: string) => (id === 'e1' ? 2 : 0);
    assert.deepEqual(planGrowth(n, plane, 4, () => false, { unrecordedOn }), [
      { kind: 'assign', eniId: 'e1', count: 1 },
      { kind: 'create', count: 3 },
    ]);
    // A full ENI in the cloud gets nothing, whatever the record says.
    assert.deepEqual(planGrowth(n, plane, 2, () => false, { unrecordedOn: () => 3, foreignEnis: 1 }), []);
  });

  it('never adds addresses of one security-group set to an ENI of another', () => {
    const other = node([eni('e1', ips('10.0.0', 1), ['sg-2'])]);
    assert.deepEqual(planGrowth(other, plane, 2, () => false), [{ kind: 'create', count: 2 }]);
  });

  it('skips ENIs whose vSwitch is blocked', () => {
    const n = node([eni('e1', ips('10.0.0', 1, () => 'x'))]);
    assert.deepEqual(planGrowth(n, plane, 2, (v) => v === 'vsw-a'), [{ kind: 'create', count: 2 }]);
  });
});

describe('planReclaim', () => {
  const opts = { now: 1_000_000, cooldownMs: 0, idleReclaimAfterMs: 60_000, batchSize: 100, defaultSecurityGroupKey: 'sg-1' };

  it('drains the emptiest ENI whole and keeps primaries of ENIs still in use', () => {
    const busy = eni('busy', [{ ip: 'b0', podId: 'p' }, { ip: 'b1' }, { ip: 'b2' }]);
    const idle = eni('idle', [{ ip: 'i0' }, { ip: 'i1' }]);
    const plan = planReclaim(node([busy, idle], undefined, { minPoolSize: 0, maxPoolSize: 0 }), opts);
    assert.deepEqual(plan.deleteEnis, ['idle']);
    assert.deepEqual([...plan.unassign.entries()], [['busy', ['b1', 'b2']]]);
  });

  it('keeps minPoolSize for the default security groups and releases young idle addresses only above maxPoolSize', () => {
    const young = eni('e', [{ ip: 'a', podId: 'p' }, ...['b', 'c', 'd', 'e'].map((ip) => ({ ip, idleSince: opts.now - 1_000 }))]);
    // 4 idle, over maxPoolSize 3: drained to the midpoint 2 in one go.
    assert.equal([...planReclaim(node([young], undefined, { minPoolSize: 1, maxPoolSize: 3 }), opts).unassign.values()].flat().length, 2);
    const within = eni('e', [{ ip: 'a', podId: 'p' }, ...['b', 'c', 'd'].map((ip) => ({ ip, idleSince: opts.now - 1_000 }))]);
    assert.equal(planReclaim(node([within], undefined, { minPoolSize: 1, maxPoolSize: 3 }), opts).unassign.size, 0);
    const old = eni('e', [{ ip: 'a', podId: 'p' }, ...['b', 'c', 'd', 'e'].map((ip) => ({ ip, idleSince: opts.now - 120_000 }))]);
    assert.equal([...planReclaim(node([old], undefined, { minPoolSize: 1, maxPoolSize: 3 }), opts).unassign.values()].flat().length, 3);
  });

  it('does not give back an address still cooling down', () => {
    const e = eni('e', [{ ip: 'a', podId: 'p' }, { ip: 'b' }]);
    e.ips['b']!.releasedAt = opts.now - 10;
    const plan = planReclaim(node([e], undefined, { minPoolSize: 0, maxPoolSize: 0 }), { ...opts, cooldownMs: 5_000 });
    assert.equal(plan.unassign.size, 0);
  });
});

describe('orderVSwitches', () => {
  const c = [
    { id: 'a', zone: 'z', availableIpAddressCount: 5 },
    { id: 'b', zone: 'z', availableIpAddressCount: 0 },
    { id: 'c', zone: 'z', availableIpAddressCount: 50 },
  ];
  it('ordered keeps the given order, most prefers free addresses, empty ones go last', () => {
    assert.deepEqual(orderVSwitches(c, 'ordered').map((v) => v.id), ['a', 'c', 'b']);
    assert.deepEqual(orderVSwitches(c, 'most').map((v) => v.id), ['c', 'a', 'b']);
    const seen = new Set<string>();
    let r = 0;
    for (let i = 0; i < 20; i++) seen.add(orderVSwitches(c, 'random', () => (r = (r + 0.37) % 1))[0]!.id);
    assert.deepEqual([...seen].sort(), ['a', 'c']);
  });
});

describe('CoalescingWriter', () => {
  it('coalesces changes made during a write into one following write, and a flush covers changes made before it', async () => {
    let value = 0;
    const written: number[] = [];
    let release: (() => void) | undefined;
    const writer = new CoalescingWriter(async () => {
      const snapshot = value;
      await new Promise<void>((r) => (release = r));
      written.push(snapshot);
    });
    value = 1;
    const a = writer.flush();
    value = 2;
    const b = writer.flush();
    value = 3;
    const c = writer.flush();
    release!();
    await a;
    await new Promise((r) => setImmediate(r));
    release!();
    await Promise.all([b, c]);
    assert.deepEqual(written, [1, 3]);
  });

  it('rejects the callers whose write failed, and recovers for the next', async () => {
    let fail = true;
    const writer = new CoalescingWriter(async () => {
      if (fail) throw new Error('conflict');
    });
    await assert.rejects(writer.flush(), /conflict/);
    fail = false;
    await writer.flush();
  });
});
