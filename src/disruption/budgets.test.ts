import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedDisruptions, budgetNodes, poolBudgets } from './budgets.js';
import { isWindowActive, nextFire, parseCron } from './cron.js';
import { decide } from './methods.js';
import { instanceType, T0, World } from './testing.js';

const small = instanceType('c.large', 2, 4);
const at = (iso: string) => Date.parse(iso);

describe('cron schedules', () => {
  it('finds the next firing of lists, ranges, steps and names, in UTC', () => {
    const weekdays9 = parseCron('0 9 * * mon-fri');
    // 2025-06-02 is a Monday.
    assert.equal(nextFire(weekdays9, at('2025-06-02T08:59:00Z')), at('2025-06-02T09:00:00Z'));
    assert.equal(nextFire(weekdays9, at('2025-06-02T09:00:00Z')), at('2025-06-03T09:00:00Z'));
    assert.equal(nextFire(weekdays9, at('2025-06-06T10:00:00Z')), at('2025-06-09T09:00:00Z'), 'Friday after nine: next Monday');
    assert.equal(nextFire(parseCron('*/15 * * * *'), at('2025-06-02T12:07:30Z')), at('2025-06-02T12:15:00Z'));
    assert.equal(nextFire(parseCron('30 2 1,15 * *'), at('2025-06-02T00:00:00Z')), at('2025-06-15T02:30:00Z'));
    assert.equal(nextFire(parseCron('0 0 1 jan *'), at('2025-06-02T00:00:00Z')), at('2026-01-01T00:00:00Z'));
    assert.equal(nextFire(parseCron('@daily'), at('2025-06-02T12:00:00Z')), at('2025-06-03T00:00:00Z'));
    assert.equal(nextFire(parseCron('0 0 * * 7'), at('2025-06-02T12:00:00Z')), at('2025-06-08T00:00:00Z'), '7 is Sunday');
  });

  it('matches either day field when both are restricted, both when one is a star', () => {
    const either = parseCron('0 0 13 * fri'); // the 13th, or any Friday
    assert.equal(nextFire(either, at('2025-06-02T00:00:00Z')), at('2025-06-06T00:00:00Z'));
    const both = parseCron('0 0 * * fri');
    assert.equal(nextFire(both, at('2025-06-07T00:00:00Z')), at('2025-06-13T00:00:00Z'));
  });

  it('rejects malformed schedules with the reason', () => {
    assert.throws(() => parseCron('0 25 * * *'), /not in 0-23/);
    assert.throws(() => parseCron('* * *'), /expected 5 fields/);
    assert.throws(() => parseCron('0 0 * * funday'), /funday/);
  });

  it('a window is active from each firing for its duration, and not after', () => {
    const s = parseCron('0 9 * * *');
    const hour = 3_600_000;
    assert.equal(isWindowActive(s, 8 * hour, at('2025-06-02T08:59:59Z')), false);
    assert.equal(isWindowActive(s, 8 * hour, at('2025-06-02T09:00:00Z')), true);
    assert.equal(isWindowActive(s, 8 * hour, at('2025-06-02T16:59:00Z')), true);
    assert.equal(isWindowActive(s, 8 * hour, at('2025-06-02T17:00:00Z')), false);
  });
});

describe('budgets', () => {
  it('counts nodes or a percentage of the pool rounded up', () => {
    assert.equal(budgetNodes('3', 10), 3);
    assert.equal(budgetNodes('25%', 10), 3);
    assert.equal(budgetNodes('10%', 1), 1);
    assert.equal(budgetNodes('0%', 50), 0);
    assert.equal(budgetNodes('100%', 7), 7);
  });

  it('takes the smallest active budget that applies to the reason; none active means no limit', () => {
    const w = new World([small]);
    const pool = w.pool('default', {
      budgets: [
        { nodes: '50%' },
        { nodes: '0', reasons: ['Drifted'] },
        { nodes: '1', schedule: '0 9 * * mon-fri', duration: '8h' },
      ],
    });
    assert.equal(allowedDisruptions(pool, 'Drifted', 10, T0), 0);
    assert.equal(allowedDisruptions(pool, 'Empty', 10, T0), 1, 'Monday noon: the business-hours budget applies');
    assert.equal(allowedDisruptions(pool, 'Empty', 10, at('2025-06-07T12:00:00Z')), 5, 'Saturday: only 50% applies');
    const open = w.pool('open', { budgets: [{ nodes: '0', schedule: '0 0 * * *', duration: '1h' }] });
    assert.ok(allowedDisruptions(open, 'Underutilized', 4, T0) > 1000);
  });

  it('subtracts nodes already disrupting or not ready, never below zero', () => {
    const w = new World([small]);
    w.pool('default', { budgets: [{ nodes: '2' }] });
    for (let i = 0; i < 3; i++) w.node({ type: small });
    w.node({ type: small, tainted: true });
    w.node({ type: small, ready: false });
    w.node({ type: small, initialized: false }); // not counted at all
    const budget = poolBudgets(w.state()).get('default');
    assert.deepEqual({ nodes: budget?.nodes, disrupting: budget?.disrupting }, { nodes: 5, disrupting: 2 });
    assert.equal(budget?.remaining.Empty, 0);
    assert.equal(budget?.allowed.Empty, 2);
  });

  it('limits how many empty nodes go at once, per pool', () => {
    const w = new World([small]);
    w.pool('default', { budgets: [{ nodes: '1' }] });
    w.pool('other', { budgets: [{ nodes: '40%' }] });
    for (let i = 0; i < 4; i++) w.node({ type: small });
    for (let i = 0; i < 5; i++) w.node({ type: small, pool: 'other' });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'emptiness');
    const perPool = new Map<string, number>();
    for (const c of d.command?.candidates ?? []) perPool.set(c.nodePool.metadata.name ?? '', (perPool.get(c.nodePool.metadata.name ?? '') ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(perPool), { default: 1, other: 2 });
  });

  it('a budget scheduled for business hours blocks disruption then, and reports the pool', () => {
    const w = new World([small]);
    w.pool('default', { budgets: [{ nodes: '0', schedule: '0 9 * * mon-fri', duration: '8h' }] });
    w.node({ type: small });
    const blocked = decide(w.state());
    assert.equal(blocked.command, undefined);
    assert.equal(blocked.allowed.get('default')?.Empty, 0);
    w.now = at('2025-06-02T18:00:00Z');
    assert.equal(decide(w.state()).command?.method, 'emptiness');
  });

  it('a budget for one reason leaves the others alone', () => {
    const w = new World([small]);
    w.pool('default', { budgets: [{ nodes: '0', reasons: ['Empty'] }, { nodes: '100%' }] });
    w.node({ type: small });
    w.node({ type: small, drifted: { reason: 'NodePoolDrifted' } });
    const d = decide(w.state());
    assert.equal(d.command?.method, 'drift');
    assert.equal(d.command?.candidates.length, 1);
    assert.ok(d.command?.candidates[0]?.driftedSince !== undefined);
  });
});
