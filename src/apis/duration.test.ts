import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidDurationError, formatDuration, parseDuration, parseNillableDuration } from './duration.js';

describe('durations', () => {
  it('parses Go durations', () => {
    assert.equal(parseDuration('5m0s'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('300ms'), 300);
    assert.equal(parseDuration('0s'), 0);
    assert.equal(parseDuration('0'), 0);
  });

  it('treats Never as no duration', () => {
    assert.equal(parseNillableDuration('Never'), null);
    assert.equal(parseNillableDuration('720h'), 720 * 3_600_000);
  });

  it('refuses days and words', () => {
    assert.throws(() => parseDuration('1d'), InvalidDurationError);
    assert.throws(() => parseDuration('5 minutes'), InvalidDurationError);
    assert.throws(() => parseDuration(''), InvalidDurationError);
  });

  it('formats as Go prints a time.Duration', () => {
    assert.equal(formatDuration(300_000), '5m0s');
    assert.equal(formatDuration(5_400_000), '1h30m0s');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(300), '300ms');
    assert.equal(formatDuration(0), '0s');
  });
});
