import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { KubeEventRecorder, type EventSink, type NewEvent } from './recorder.js';

/** Keeps what the recorder wrote, as the API server would. */
class MemorySink implements EventSink {
  readonly created: NewEvent[] = [];
  readonly series = new Map<string, number>();
  failCreates = 0;

  async create(event: NewEvent): Promise<void> {
    if (this.failCreates > 0) {
      this.failCreates--;
      throw new Error('apiserver unavailable');
    }
    this.created.push(event);
  }

  async updateSeries(namespace: string, name: string, series: { count: number }): Promise<void> {
    this.series.set(`${namespace}/${name}`, series.count);
  }
}

const pod = (name: string, uid = `uid-${name}`) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', uid } });

function recorder(sink: MemorySink, clock: { now: number }) {
  return new KubeEventRecorder({
    sink,
    logger: pino({ level: 'silent' }),
    reportingController: 'ack-node-operator',
    reportingInstance: 'operator-0',
    now: () => clock.now,
  });
}

describe('KubeEventRecorder', () => {
  it('turns repeats of one Event into a single Event with a series count', async () => {
    const sink = new MemorySink();
    const clock = { now: 1_000_000 };
    const events = recorder(sink, clock);
    for (let i = 0; i < 10; i++) {
      events.warning(pod('web-1'), 'FailedScheduling', 'no NodePool matches the pod');
      clock.now += 1_000;
    }
    await events.close();
    assert.equal(sink.created.length, 1);
    const [event] = sink.created;
    assert.equal(event!.namespace, 'shop');
    assert.equal(event!.record.type, 'Warning');
    assert.equal(event!.record.regarding.uid, 'uid-web-1');
    assert.equal(event!.reportingController, 'ack-node-operator');
    assert.equal(sink.series.get(`shop/${event!.name}`), 10);
  });

  it('keeps Events apart when the object, reason or note differs', async () => {
    const sink = new MemorySink();
    const clock = { now: 1_000_000 };
    const events = recorder(sink, clock);
    events.normal(pod('a'), 'Nominated', 'to node n1');
    events.normal(pod('a'), 'Nominated', 'to node n2');
    events.normal(pod('b'), 'Nominated', 'to node n1');
    events.warning(pod('a'), 'Evicted', 'to node n1');
    events.normal(pod('a'), 'Nominated', 'to node n1');
    await events.close();
    assert.equal(sink.created.length, 4);
  });

  it('starts a new Event once the aggregation window has passed', async () => {
    const sink = new MemorySink();
    const clock = { now: 1_000_000 };
    const events = recorder(sink, clock);
    events.normal(pod('a'), 'Launched', 'ecs.g7.large in cn-hangzhou-h');
    await events.idle();
    clock.now += 11 * 60_000;
    events.normal(pod('a'), 'Launched', 'ecs.g7.large in cn-hangzhou-h');
    await events.close();
    assert.equal(sink.created.length, 2);
  });

  it('caps the distinct Events one object can emit in a burst, without silencing other objects', async () => {
    const sink = new MemorySink();
    const clock = { now: 1_000_000 };
    const events = recorder(sink, clock);
    for (let i = 0; i < 40; i++) events.warning(pod('noisy'), 'Failed', `attempt ${i}`);
    events.warning(pod('quiet'), 'Failed', 'once');
    await events.close();
    assert.equal(sink.created.filter((e) => e.record.regarding.name === 'noisy').length, 25);
    assert.equal(sink.created.filter((e) => e.record.regarding.name === 'quiet').length, 1);
  });

  it('retries the create on the next occurrence when writing failed', async () => {
    const sink = new MemorySink();
    sink.failCreates = 1;
    const clock = { now: 1_000_000 };
    const events = recorder(sink, clock);
    events.warning(pod('a'), 'Failed', 'boom');
    await events.idle();
    assert.equal(sink.created.length, 0);
    events.warning(pod('a'), 'Failed', 'boom');
    await events.close();
    assert.equal(sink.created.length, 1);
  });

  it('truncates notes to the 1 KiB the API accepts', async () => {
    const sink = new MemorySink();
    const events = recorder(sink, { now: 1 });
    events.normal(pod('a'), 'Long', 'x'.repeat(5000));
    await events.close();
    assert.ok(Buffer.byteLength(sink.created[0]!.record.note) <= 1024);
  });
});
