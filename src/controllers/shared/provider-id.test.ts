import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceIdOf } from './provider-id.js';

test('the instance id is what follows the region in a providerID', () => {
  assert.equal(instanceIdOf('cn-hangzhou.i-bp1abc'), 'i-bp1abc');
  assert.equal(instanceIdOf('i-bp1abc'), 'i-bp1abc');
});

test('no providerID, or one without an instance id, names no instance', () => {
  assert.equal(instanceIdOf(undefined), undefined);
  assert.equal(instanceIdOf(''), undefined);
  assert.equal(instanceIdOf('cn-hangzhou.'), undefined);
});
