// Injected faults through the programmatic API and the admin endpoint: throttling (count,
// probability, rate), error codes, 5xx, latency, stock-outs, IP exhaustion and spot reclaim.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { eventually } from '../../harness/eventually.js';
import { describeInstance, ecs, run, sdkError, startFixture, type Fixture } from './sdk.js';

const regions = (f: Fixture) => f.ecs.describeRegions(new ecs.DescribeRegionsRequest({}));

describe('simulator faults', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  afterEach(() => f.sim.faults.clear());
  after(() => f.close());

  it('throttles an action a number of times with Throttling.User (400), then lets it through', async () => {
    f.sim.faults.throttle({ action: 'DescribeRegions', times: 2 });
    const first = await sdkError(regions(f));
    assert.deepEqual([first.code, first.statusCode], ['Throttling.User', 400]);
    assert.match(first.data.Message, /user flow control/);
    assert.equal((await sdkError(regions(f))).code, 'Throttling.User');
    await regions(f);
    await f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' }));
  });

  it('throttles with the Throttling code when asked, and only the named action', async () => {
    f.sim.faults.throttle({ action: 'DescribeZones', code: 'Throttling' });
    assert.equal((await sdkError(f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' })))).code, 'Throttling');
    await regions(f);
  });

  it('throttles a share of calls with a probability, deterministically for a seed', async () => {
    const outcomes = async (fx: Fixture) => {
      fx.sim.faults.throttle({ action: '*', probability: 0.5 });
      const results = [];
      for (let i = 0; i < 40; i++) results.push(await regions(fx).then(() => 'ok', (e: { code: string }) => e.code));
      return results;
    };
    const mine = await outcomes(f);
    const throttled = mine.filter((r) => r === 'Throttling.User').length;
    assert.ok(throttled > 5 && throttled < 35, `${throttled} of 40 throttled`);
    const twin = await startFixture();
    try {
      assert.deepEqual(await outcomes(twin), mine);
    } finally {
      await twin.close();
    }
  });

  it('throttles calls above a rate limit, refilling with the clock', async () => {
    let now = Date.parse('2025-06-01T00:00:00Z');
    const clocked = await startFixture({ now: () => new Date(now) });
    try {
      clocked.sim.faults.throttle({ action: 'DescribeRegions', ratePerSecond: 2, burst: 3 });
      const burst = await Promise.allSettled(Array.from({ length: 10 }, () => regions(clocked)));
      assert.equal(burst.filter((r) => r.status === 'fulfilled').length, 3, 'the burst');
      assert.ok(burst.filter((r) => r.status === 'rejected').every((r) => (r.reason as { code: string }).code === 'Throttling.User'));
      now += 1000;
      const refilled = await Promise.allSettled(Array.from({ length: 10 }, () => regions(clocked)));
      assert.equal(refilled.filter((r) => r.status === 'fulfilled').length, 2, 'one second at 2/s');
    } finally {
      await clocked.close();
    }
  });

  it('answers an injected error code with its status N times', async () => {
    f.sim.faults.error({ action: 'RunInstances', code: 'QuotaExceeded.PrivateIpAddress', httpStatus: 403, times: 1 });
    const err = await sdkError(run(f));
    assert.deepEqual([err.code, err.statusCode], ['QuotaExceeded.PrivateIpAddress', 403]);
    assert.equal((await run(f)).length, 1);
    assert.deepEqual(f.sim.state.calls().RunInstances?.errors, { 'QuotaExceeded.PrivateIpAddress': 1 });
  });

  it('answers 500 InternalError and 503 ServiceUnavailable', async () => {
    f.sim.faults.serverError({ action: 'DescribeRegions', httpStatus: 500, times: 1 });
    f.sim.faults.serverError({ action: 'DescribeZones', times: 1 });
    const internal = await sdkError(regions(f));
    assert.deepEqual([internal.code, internal.statusCode], ['InternalError', 500]);
    const unavailable = await sdkError(f.ecs.describeZones(new ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou' })));
    assert.deepEqual([unavailable.code, unavailable.statusCode], ['ServiceUnavailable', 503]);
  });

  it('adds latency to an action', async () => {
    f.sim.faults.latency({ action: 'DescribeRegions', ms: 150 });
    const started = Date.now();
    await regions(f);
    assert.ok(Date.now() - started >= 150, 'the answer waited at least the injected latency');
  });

  it('removes a single rule by id and lists the active ones', async () => {
    const id = f.sim.faults.throttle({ action: 'DescribeRegions' });
    f.sim.faults.latency({ action: 'DescribeZones', ms: 1 });
    assert.deepEqual(f.sim.faults.rules.list().map((r) => r.rule.kind), ['throttle', 'latency']);
    assert.equal(f.sim.faults.removeRule(id), true);
    await regions(f);
  });

  it('signals a spot reclaim in DescribeInstances, then releases the instance after the notice', async () => {
    const [id] = await run(f, { spotStrategy: 'SpotAsPriceGo' });
    const terminationTime = f.sim.faults.reclaimSpot(id!, { noticeMs: 100 });
    const locked = await describeInstance(f, id!);
    assert.deepEqual(locked?.operationLocks?.lockReason?.map((l) => l.lockReason), ['Recycling']);
    assert.match(locked?.operationLocks?.lockReason?.[0]?.lockMsg ?? '', new RegExp(terminationTime));
    assert.equal(f.sim.state.instance(id!)?.terminationTime, terminationTime);
    await eventually('the reclaimed instance is released', async () => ((await describeInstance(f, id!)) === undefined ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    assert.deepEqual(f.sim.state.checkConsistency(), []);
    const [onDemand] = await run(f);
    assert.throws(() => f.sim.faults.reclaimSpot(onDemand!), /not a spot instance/);
  });
});

describe('simulator admin endpoint', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${f.sim.adminUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('lists instances, ENIs with IPs, vSwitch free counts, calls and a consistency verdict', async () => {
    const [id] = await run(f);
    const { status, body } = await admin('GET', '/state');
    assert.equal(status, 200);
    const instances = body.instances as { id: string; primaryIp: string }[];
    assert.deepEqual(instances.map((i) => i.id), [id]);
    const enis = body.networkInterfaces as { instanceId?: string; primaryIp: string; type: string }[];
    assert.deepEqual(enis.map((e) => [e.instanceId, e.type, e.primaryIp]), [[id, 'Primary', instances[0]!.primaryIp]]);
    const vsws = body.vSwitches as { availableIpAddressCount: number; capacity: number }[];
    assert.equal(vsws.filter((v) => v.availableIpAddressCount === v.capacity - 1).length, 1);
    assert.deepEqual((body.calls as Record<string, { total: number }>).RunInstances?.total, 1);
    assert.deepEqual(body.consistency, []);
  });

  it('lists the security groups with their ids, names and tags (what a PodNetworking needs)', async () => {
    const { status, body } = await admin('GET', '/security-groups');
    assert.equal(status, 200);
    const groups = body as unknown as { id: string; name: string; tags: Record<string, string> }[];
    const core = groups.find((g) => g.name === 'sg-core-trade');
    assert.equal(core?.tags.network, 'core-trade');
    assert.match(core?.id ?? '', /^sg-sim/);
  });

  it('injects and clears API faults', async () => {
    const added = await admin('POST', '/faults', { kind: 'error', action: 'DescribeRegions', code: 'Forbidden.RAM', httpStatus: 403 });
    assert.equal(added.status, 200);
    assert.equal((await sdkError(regions(f))).code, 'Forbidden.RAM');
    assert.equal((await admin('GET', '/faults')).status, 200);
    assert.equal((await admin('DELETE', `/faults/${added.body.id as number}`)).body.removed, true);
    await regions(f);
    const invalid = await admin('POST', '/faults', { kind: 'throttle', probability: 2 });
    assert.equal(invalid.status, 400);
  });

  it('stocks out an offering, exhausts and restores a vSwitch, and reclaims a spot instance', async () => {
    const stock = await admin('POST', '/stock', { instanceType: 'ecs.g7.large', capacityType: 'on-demand', count: 0 });
    assert.equal(stock.status, 200);
    assert.equal((await sdkError(run(f))).code, 'OperationDenied.NoStock');
    await admin('POST', '/stock', { instanceType: 'ecs.g7.large', capacityType: 'on-demand', count: null });
    const vsw = f.sim.state.vSwitchByName('core-trade-b')!;
    assert.equal((await admin('POST', `/vswitches/${vsw.id}/exhaust`)).body.taken, 252);
    assert.equal(f.sim.state.vSwitchByName('core-trade-b')!.availableIpAddressCount, 0);
    assert.equal((await admin('POST', `/vswitches/${vsw.id}/restore`)).body.released, 252);
    const [id] = await run(f, { spotStrategy: 'SpotAsPriceGo' });
    const reclaimed = await admin('POST', `/instances/${id}/reclaim`, { noticeMs: 60_000 });
    assert.match(String(reclaimed.body.terminationTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await admin('POST', '/instances/i-missing/reclaim', {})).status, 404);
  });

  it('answers unknown routes with 404 and resets call counts', async () => {
    assert.equal((await admin('GET', '/nothing')).status, 404);
    await admin('DELETE', '/calls');
    assert.deepEqual((await admin('GET', '/calls')).body, {});
  });
});
