import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPool, IpNotEnoughError } from './addressPool.js';

describe('AddressPool', () => {
  it('keeps the first and last three addresses of the CIDR reserved', () => {
    const pool = new AddressPool('192.168.1.0/29');
    assert.equal(pool.capacity, 4);
    const ips = pool.allocate('eni-a', 4);
    assert.deepEqual(ips, ['192.168.1.1', '192.168.1.2', '192.168.1.3', '192.168.1.4']);
    assert.throws(() => pool.allocate('eni-a', 1), IpNotEnoughError);
    assert.throws(() => pool.allocateSpecific('eni-b', '192.168.1.7'), /not usable/);
  });

  it('allocates all or nothing and moves on before reusing a released address', () => {
    const pool = new AddressPool('10.0.0.0/28');
    const first = pool.allocate('a', 3);
    assert.throws(() => pool.allocate('b', 10), IpNotEnoughError);
    assert.equal(pool.available, 9);
    pool.release(first[0]!);
    assert.equal(pool.allocate('b', 1)[0], '10.0.0.4', 'next-fit, not the just-released .1');
    assert.equal(pool.ownerOf('10.0.0.2'), 'a');
  });

  it('wraps around and releases by owner', () => {
    const pool = new AddressPool('10.0.0.0/29');
    pool.allocate('a', 4);
    pool.release('10.0.0.2');
    assert.deepEqual(pool.allocate('b', 1), ['10.0.0.2']);
    assert.equal(pool.releaseOwner('a'), 3);
    assert.equal(pool.available, 3);
  });

  it('rejects malformed or misaligned CIDRs', () => {
    assert.throws(() => new AddressPool('10.0.0.1/24'), /aligned/);
    assert.throws(() => new AddressPool('10.0.0.0/30'), /prefix/);
  });
});
