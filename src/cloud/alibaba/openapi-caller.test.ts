// How every call behaves on the wire, against the simulator's fault injection: retries where
// they are safe, none where they are not, metrics per attempt, and logs without secrets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { AlibabaCloudProvider } from './provider.js';
import { cheapestCandidates, launchRequest, metricValue, providerFor, type TestProvider } from './testing.js';

describe('OpenAPI calls against the simulator', () => {
  let sim: RunningSimulator;
  let p: TestProvider;

  before(async () => {
    sim = await startSimulator();
    p = providerFor(sim);
  });
  afterEach(() => {
    sim.faults.clear();
    sim.state.resetCalls();
  });
  after(() => sim.close());

  it('retries throttling until the call succeeds, counting every attempt', async () => {
    sim.faults.throttle({ action: 'DescribeZones', code: 'Throttling.User', times: 2 });
    const zones = await p.cloud.listZones();
    assert.ok(zones.length > 0);
    assert.equal(sim.state.callCount('DescribeZones'), 3);
    assert.equal(await metricValue(p.registry, 'aliyun_openapi_errors_total', { action: 'DescribeZones', code: 'Throttling.User' }), 2);
    assert.equal(await metricValue(p.registry, 'aliyun_openapi_requests_total', { action: 'DescribeZones', code: 'OK' }), 1);
    assert.equal(await metricValue(p.registry, 'aliyun_openapi_latency', { api: 'DescribeZones', error: 'true' }), 2);
    assert.equal(await metricValue(p.registry, 'aliyun_openapi_latency', { api: 'DescribeZones', error: 'false' }), 1);
  });

  it('gives up on persistent throttling after the configured attempts', async () => {
    sim.faults.throttle({ action: 'DescribeZones', code: 'Throttling' });
    await assert.rejects(p.cloud.listZones(), { kind: 'Throttled', code: 'Throttling' });
    assert.equal(sim.state.callCount('DescribeZones'), 5);
  });

  it('retries a server error on a read', async () => {
    sim.faults.serverError({ action: 'DescribeVSwitches', httpStatus: 503, times: 1 });
    assert.ok((await p.cloud.listVSwitches({})).length > 0);
    assert.equal(sim.state.callCount('DescribeVSwitches'), 2);
  });

  it('retries a server error on a create only because it carries a ClientToken, and creates once', async () => {
    const [vSwitch] = await p.cloud.listVSwitches({ tags: { terway: 'pod' } });
    const [sg] = await p.cloud.listSecurityGroups({});
    assert.ok(vSwitch && sg);
    const tags = { owner: randomUUID() };
    sim.faults.serverError({ action: 'CreateNetworkInterface', httpStatus: 500, times: 1 });
    const eni = await p.cloud.createNetworkInterface({ clientToken: randomUUID(), vSwitchId: vSwitch.id, securityGroupIds: [sg.id], secondaryIpCount: 1, tags });
    assert.equal(sim.state.callCount('CreateNetworkInterface'), 2);
    assert.deepEqual((await p.cloud.listNetworkInterfaces({ tags })).map((e) => e.id), [eni.id]);
    await p.cloud.deleteNetworkInterface(eni.id);
  });

  it('does not resend an attach after a server error, since it may have taken effect', async () => {
    sim.faults.serverError({ action: 'AttachNetworkInterface', httpStatus: 503, times: 1 });
    await assert.rejects(p.cloud.attachNetworkInterface('eni-any', 'i-any'), { kind: 'Transient' });
    assert.equal(sim.state.callCount('AttachNetworkInterface'), 1);
  });

  it('classifies an injected error code without retrying it', async () => {
    sim.faults.error({ action: 'DescribeInstances', code: 'Forbidden.RAM', httpStatus: 403, message: 'not allowed' });
    await assert.rejects(p.cloud.listInstances({}), { kind: 'Unauthorized', code: 'Forbidden.RAM' });
    assert.equal(sim.state.callCount('DescribeInstances'), 1);
  });

  it('answers a wrong secret as Unauthorized, once', async () => {
    const wrong = new AlibabaCloudProvider({
      region: sim.region,
      ecsEndpoint: sim.endpoint,
      vpcEndpoint: sim.endpoint,
      protocol: 'http',
      credentials: { mode: 'accessKey', accessKeyId: sim.accessKeyId, accessKeySecret: 'not-the-secret' },
    });
    await assert.rejects(wrong.listZones(), { kind: 'Unauthorized', code: 'SignatureDoesNotMatch' });
    assert.equal(sim.state.callCount('DescribeZones'), 1, 'a signature error is not retried');
  });

  it('stops retrying when the operator shuts down', async () => {
    const controller = new AbortController();
    const slow = new AlibabaCloudProvider(
      {
        region: sim.region,
        ecsEndpoint: sim.endpoint,
        vpcEndpoint: sim.endpoint,
        protocol: 'http',
        credentials: { mode: 'accessKey', accessKeyId: sim.accessKeyId, accessKeySecret: sim.accessKeySecret },
        retry: { maxAttempts: 20, baseDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 3_600_000 },
      },
      { signal: controller.signal, random: () => 1 },
    );
    sim.faults.throttle({ action: 'DescribeZones' });
    const call = slow.listZones();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await assert.rejects(call, /shutting down/);
    assert.equal(sim.state.callCount('DescribeZones'), 1);
  });

  it('logs actions and request ids, never user data or keys', async () => {
    const offerings = await p.cloud.listOfferings();
    const vSwitches = await p.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': 'local' } });
    const types = (await p.cloud.listInstanceTypes()).filter((t) => t.architecture === 'amd64').map((t) => t.name);
    const candidates = cheapestCandidates(offerings, new Map(vSwitches.map((v) => [v.zone, v.id])), {
      capacityType: 'on-demand',
      instanceTypes: types,
      count: 1,
    });
    const [image] = await p.cloud.listImages({ family: 'ContainerOS', architecture: 'amd64' });
    const [sg] = await p.cloud.listSecurityGroups({});
    assert.ok(image && sg);
    const request = launchRequest(randomUUID(), candidates, image.id, [sg.id]);
    const instance = await p.cloud.createInstance(request);
    await p.cloud.deleteInstance(instance.id);

    const lines = p.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const launch = lines.find((l) => l.action === 'CreateAutoProvisioningGroup');
    assert.ok(launch, 'the launch call was logged');
    assert.equal(typeof launch.requestId, 'string');
    const text = p.logs.join('\n');
    for (const secret of ['bootstrap-secret-abc123', Buffer.from(request.userData).toString('base64'), sim.accessKeySecret]) {
      assert.ok(!text.includes(secret), `logs must not contain ${secret.slice(0, 12)}...`);
    }
  });
});
