import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWindow } from './batch-window.js';

describe('BatchWindow', () => {
  it('closes after the idle window once items stop arriving', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const window = new BatchWindow({ idleMs: 1_000, maxMs: 10_000 });
    let closed = false;
    void window.wait(new AbortController().signal).then(() => (closed = true));
    window.add();
    t.mock.timers.tick(600);
    window.add(); // extends the batch
    t.mock.timers.tick(600);
    await Promise.resolve();
    assert.equal(closed, false, '600 ms after the last item the batch is still open');
    t.mock.timers.tick(400);
    await Promise.resolve();
    assert.equal(closed, true);
    assert.equal(window.open, false, 'a closed batch leaves the window empty');
  });

  it('closes at the max window even while items keep arriving', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const window = new BatchWindow({ idleMs: 1_000, maxMs: 3_000 });
    let closed = false;
    void window.wait(new AbortController().signal).then(() => (closed = true));
    for (let elapsed = 0; elapsed < 2_500; elapsed += 500) {
      window.add();
      t.mock.timers.tick(500);
    }
    window.add();
    t.mock.timers.tick(499);
    await Promise.resolve();
    assert.equal(closed, false, 'open at 2999 ms');
    t.mock.timers.tick(1);
    await Promise.resolve();
    assert.equal(closed, true, 'closed 3 s after the first item despite a steady stream');
  });

  it('waits for a first item, and resolves false when aborted', async () => {
    const window = new BatchWindow({ idleMs: 10, maxMs: 100 });
    const abort = new AbortController();
    const waiting = window.wait(abort.signal);
    abort.abort();
    assert.equal(await waiting, false);
  });

  it('rejects an idle window longer than the max window', () => {
    assert.throws(() => new BatchWindow({ idleMs: 10_000, maxMs: 1_000 }), /invalid batch window/);
  });
});
