import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { RuntimeMetrics } from '../metrics.js';
import { WorkQueue } from './queue.js';
import { ExponentialBackoff } from './rate-limiter.js';

async function drain(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('WorkQueue', () => {
  it('holds a key once however often it is added, in first-add order', async () => {
    const queue = new WorkQueue({ name: 'test' });
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(key);
    assert.equal(queue.length, 3);
    assert.deepEqual(await drain(queue), ['a', 'b', 'c']);
  });

  it('never hands a key to a second worker while the first still holds it', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('a');
    const first = await queue.get();
    assert.equal(first, 'a');

    queue.add('a');
    queue.add('b');
    // 'a' is dirty but in flight: only 'b' may be handed out now.
    assert.equal(await queue.get(), 'b');
    let secondA: string | undefined | null = null;
    void queue.get().then((key) => (secondA = key));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(secondA, null, 'a must wait until the first worker is done');

    queue.done('a');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(secondA, 'a', 're-added while in flight, so processed once more after done()');
  });

  it('processes a key added while in flight exactly once more, not once per add', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    queue.done(key!);
    assert.deepEqual(await drain(queue), ['a']);
  });

  it('under many concurrent workers, no key is ever processed by two at once', async () => {
    const queue = new WorkQueue({ name: 'test' });
    const inFlight = new Set<string>();
    const processed = new Map<string, number>();
    let overlaps = 0;
    let remainingAdds = 400;
    const worker = async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        if (inFlight.has(key)) overlaps++;
        inFlight.add(key);
        processed.set(key, (processed.get(key) ?? 0) + 1);
        // Yield a few times so other workers run while this key is held, and re-add keys meanwhile.
        for (let i = 0; i < 3; i++) {
          if (remainingAdds-- > 0) queue.add(`k${remainingAdds % 7}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
        inFlight.delete(key);
        queue.done(key);
        if (remainingAdds <= 0 && queue.length === 0 && inFlight.size === 0) queue.shutDown();
      }
    };
    for (let i = 0; i < 7; i++) queue.add(`k${i}`);
    await Promise.all(Array.from({ length: 5 }, worker));
    assert.equal(overlaps, 0);
    assert.equal(processed.size, 7, 'every key was processed');
  });

  it('delays addAfter() and lets the earliest pending delay win', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const queue = new WorkQueue({ name: 'test' });
    queue.addAfter('a', 5_000);
    queue.addAfter('a', 1_000);
    queue.addAfter('a', 3_000);
    assert.equal(queue.length, 0);
    t.mock.timers.tick(999);
    assert.equal(queue.length, 0);
    t.mock.timers.tick(1);
    assert.equal(queue.length, 1);
    assert.equal(queue.delayedCount, 0, 'the superseded later delays are gone with it');
    t.mock.timers.tick(10_000);
    assert.equal(queue.length, 1, 'the later delays of the same key did not add it again');
  });

  it('backs a failing key off exponentially, capped, and forget() resets it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const queue = new WorkQueue({ name: 'test', backoff: { baseDelayMs: 100, maxDelayMs: 1_000 } });
    const readyAfter = async (): Promise<number> => {
      queue.addRateLimited('a');
      let waited = 0;
      while (queue.length === 0) {
        t.mock.timers.tick(50);
        waited += 50;
      }
      const key = await queue.get();
      queue.done(key!);
      return waited;
    };
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await readyAfter());
    assert.deepEqual(waits, [100, 200, 400, 800, 1_000, 1_000]);
    assert.equal(queue.retries('a'), 6);
    queue.forget('a');
    assert.equal(await readyAfter(), 100);
  });

  it('backoff is per key: one failing key does not slow another', () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 10, maxDelayMs: 10_000 });
    for (let i = 0; i < 5; i++) backoff.when('bad');
    assert.equal(backoff.when('bad'), 320);
    assert.equal(backoff.when('good'), 10);
  });

  it('shutDown() releases waiting workers and ignores later adds', async () => {
    const queue = new WorkQueue({ name: 'test' });
    const waiting = queue.get();
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('a');
    queue.addAfter('b', 10);
    assert.equal(queue.length, 0);
    assert.equal(await queue.get(), undefined);
  });

  it('reports depth, adds and retries in the controller-runtime metric names', async () => {
    const registry = new Registry();
    const queue = new WorkQueue({ name: 'demo', metrics: new RuntimeMetrics(registry) });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.addRateLimited('c');
    const text = await registry.metrics();
    assert.match(text, /workqueue_depth\{name="demo"\} 2/);
    assert.match(text, /workqueue_adds_total\{name="demo"\} 2/);
    assert.match(text, /workqueue_retries_total\{name="demo"\} 1/);
    queue.shutDown();
  });
});
