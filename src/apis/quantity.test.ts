import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidQuantityError, Quantity, parseMillis, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes, exponents and plain numbers', () => {
    assert.equal(parseQuantity('250Mi'), 250 * 1024 * 1024);
    assert.equal(parseQuantity('4Gi'), 4 * 2 ** 30);
    assert.equal(parseQuantity('1.5G'), 1.5e9);
    assert.equal(parseQuantity('250m'), 0.25);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity(1000), 1000);
  });

  it('rounds cpu up to whole millicores', () => {
    assert.equal(parseMillis('250m'), 250);
    assert.equal(parseMillis('1.5'), 1500);
    assert.equal(parseMillis(2), 2000);
    assert.equal(parseMillis('100u'), 1);
  });

  it('refuses what the API server refuses', () => {
    assert.throws(() => parseQuantity('lots'), InvalidQuantityError);
    assert.throws(() => parseQuantity('1 Gi'), InvalidQuantityError);
    assert.equal(Quantity.safeParse('1KiB').success, false);
    assert.equal(Quantity.safeParse('500m').success, true);
  });
});
