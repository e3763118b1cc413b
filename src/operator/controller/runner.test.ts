import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { discardingRecorder } from '../events/recorder.js';
import { RuntimeMetrics } from '../metrics.js';
import { ControllerRunner } from './runner.js';
import { ManualSource, TerminalError, type Controller } from './types.js';

function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (condition() ? resolve() : setTimeout(poll, 2));
    poll();
  });
}

async function run(controller: Omit<Controller, 'watches'>, drive: (source: ManualSource) => Promise<void>): Promise<string> {
  const source = new ManualSource('test');
  const registry = new Registry();
  const runner = new ControllerRunner({ ...controller, watches: [source] }, { logger: pino({ level: 'silent' }), recorder: discardingRecorder, metrics: new RuntimeMetrics(registry) });
  const stop = new AbortController();
  const running = runner.run(stop.signal);
  // The runner subscribes once its sources report synced (a few microtasks for a ManualSource).
  await new Promise((resolve) => setImmediate(resolve));
  await drive(source);
  stop.abort();
  await running;
  return registry.metrics();
}

describe('ControllerRunner', () => {
  it('retries a failing key with backoff until it succeeds, counting each error', async () => {
    let attempts = 0;
    const retriesSeen: number[] = [];
    const metrics = await run(
      {
        name: 'flaky',
        backoff: { baseDelayMs: 1, maxDelayMs: 5 },
        async reconcile(_key, ctx) {
          retriesSeen.push(ctx.retries);
          if (++attempts < 3) throw new Error('cloud said Throttling');
        },
      },
      async (source) => {
        source.trigger('a');
        await until(() => attempts === 3);
      },
    );
    assert.deepEqual(retriesSeen, [0, 1, 2]);
    assert.match(metrics, /controller_runtime_reconcile_errors_total\{controller="flaky"\} 2/);
    assert.match(metrics, /controller_runtime_reconcile_total\{controller="flaky",result="error"\} 2/);
    assert.match(metrics, /controller_runtime_reconcile_total\{controller="flaky",result="success"\} 1/);
    assert.match(metrics, /workqueue_retries_total\{name="flaky"\} 2/);
  });

  it('does not retry a TerminalError', async () => {
    let attempts = 0;
    const metrics = await run(
      {
        name: 'terminal',
        backoff: { baseDelayMs: 1, maxDelayMs: 1 },
        async reconcile() {
          attempts++;
          throw new TerminalError('the NodePool references a missing ECSNodeClass');
        },
      },
      async (source) => {
        source.trigger('a');
        await until(() => attempts === 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
    );
    assert.equal(attempts, 1);
    assert.match(metrics, /controller_runtime_terminal_reconcile_errors_total\{controller="terminal"\} 1/);
  });

  it('reconciles again after requeueAfter', async () => {
    let attempts = 0;
    const metrics = await run(
      {
        name: 'poller',
        async reconcile() {
          attempts++;
          return attempts < 3 ? { requeueAfter: 5 } : undefined;
        },
      },
      async (source) => {
        source.trigger('a');
        await until(() => attempts === 3);
      },
    );
    assert.match(metrics, /controller_runtime_reconcile_total\{controller="poller",result="requeue_after"\} 2/);
  });

  it('runs different keys in parallel but never one key twice at once', async () => {
    const inFlight = new Set<string>();
    let overlaps = 0;
    let peak = 0;
    let completed = 0;
    await run(
      {
        name: 'parallel',
        concurrency: 4,
        async reconcile(key) {
          if (inFlight.has(key)) overlaps++;
          inFlight.add(key);
          peak = Math.max(peak, inFlight.size);
          await new Promise((resolve) => setTimeout(resolve, 3));
          inFlight.delete(key);
          completed++;
        },
      },
      async (source) => {
        for (let round = 0; round < 20; round++) {
          for (const key of ['a', 'b', 'c', 'd', 'e']) source.trigger(key);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await until(() => inFlight.size === 0 && completed > 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    );
    assert.equal(overlaps, 0);
    assert.ok(peak > 1, 'keys ran in parallel');
  });
});
