// Launching, describing, tagging and deleting instances through the real SDK against the simulator.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { TagLaunchToken } from '../../apis/labels.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { isCloudError } from '../errors.js';
import type { LaunchCandidate, Offering } from '../types.js';
import { cheapestCandidates, launchRequest, providerFor, type TestProvider } from './testing.js';

describe('instances against the simulator', () => {
  let sim: RunningSimulator;
  let p: TestProvider;
  let offerings: Offering[];
  let vSwitchByZone: Map<string, string>;
  let imageId: string;
  let securityGroupIds: string[];
  let amd64Types: string[];

  // The image is amd64, so are the candidates, as the scheduler would choose them.
  const candidates = (capacityType: LaunchCandidate['capacityType'], count: number) =>
    cheapestCandidates(offerings, vSwitchByZone, { capacityType, count, instanceTypes: amd64Types });
  const liveInstances = () => sim.state.instances().filter((i) => !i.releasing);

  before(async () => {
    sim = await startSimulator();
    p = providerFor(sim);
    offerings = await p.cloud.listOfferings();
    amd64Types = (await p.cloud.listInstanceTypes()).filter((t) => t.architecture === 'amd64').map((t) => t.name);
    const vSwitches = await p.cloud.listVSwitches({ tags: { 'karpenter.sh/discovery': 'local' } });
    vSwitchByZone = new Map(vSwitches.map((v) => [v.zone, v.id]));
    const [image] = await p.cloud.listImages({ family: 'ContainerOS', version: 'latest', architecture: 'amd64' });
    assert.ok(image);
    imageId = image.id;
    securityGroupIds = (await p.cloud.listSecurityGroups({ tags: { 'karpenter.sh/discovery': 'local' } })).map((g) => g.id);
  });
  afterEach(() => sim.faults.clear());
  after(() => sim.close());

  for (const launchApi of ['CreateAutoProvisioningGroup', 'RunInstances'] as const) {
    describe(`launching with ${launchApi}`, () => {
      let cloud: TestProvider['cloud'];
      before(() => {
        cloud = providerFor(sim, { launchApi }).cloud;
      });

      it('launches the first candidate, tagged and with the user data it was given', async () => {
        const request = launchRequest(randomUUID(), candidates('on-demand', 3), imageId, securityGroupIds);
        const instance = await cloud.createInstance(request);
        const first = request.candidates[0];
        assert.ok(first);
        assert.equal(instance.instanceType, first.instanceType);
        assert.equal(instance.zone, first.zone);
        assert.equal(instance.capacityType, 'on-demand');
        assert.equal(instance.providerID, `${sim.region}.${instance.id}`);
        assert.equal(instance.imageId, imageId);
        assert.equal(instance.vSwitchId, first.vSwitchId);
        assert.deepEqual(instance.tags, { ...request.tags, [TagLaunchToken]: request.clientToken });
        const inCloud = sim.state.instance(instance.id);
        assert.ok(inCloud?.userData);
        assert.equal(Buffer.from(inCloud.userData, 'base64').toString('utf8'), request.userData);
        await cloud.deleteInstance(instance.id);
      });

      it('launches spot capacity as spot', async () => {
        const request = launchRequest(randomUUID(), candidates('spot', 2), imageId, securityGroupIds);
        const instance = await cloud.createInstance(request);
        assert.equal(instance.capacityType, 'spot');
        assert.equal(sim.state.instance(instance.id)?.capacityType, 'spot');
        await cloud.deleteInstance(instance.id);
      });

      it('returns the same instance when the same launch is retried', async () => {
        const request = launchRequest(randomUUID(), candidates('on-demand', 2), imageId, securityGroupIds);
        const before = liveInstances().length;
        const first = await cloud.createInstance(request);
        const again = await cloud.createInstance(request);
        assert.equal(again.id, first.id);
        // Even with other candidates (the catalog changed between a crash and the retry).
        const reordered = await cloud.createInstance({ ...request, candidates: [...request.candidates].reverse() });
        assert.equal(reordered.id, first.id);
        assert.equal(liveInstances().length, before + 1);
        await cloud.deleteInstance(first.id);
      });

      it('falls back to the next candidate when the cheapest is sold out', async () => {
        const request = launchRequest(randomUUID(), candidates('spot', 3), imageId, securityGroupIds);
        const [cheapest, next] = request.candidates;
        assert.ok(cheapest && next);
        sim.faults.stockOut({ instanceType: cheapest.instanceType, zone: cheapest.zone, capacityType: 'spot' });
        const instance = await cloud.createInstance(request);
        assert.equal(`${instance.instanceType}/${instance.zone}`, `${next.instanceType}/${next.zone}`);
        await cloud.deleteInstance(instance.id);
      });

      it('falls through a sold-out spot run to on-demand capacity', async () => {
        const spot = candidates('spot', 2);
        const onDemand = candidates('on-demand', 1);
        for (const c of spot) sim.faults.stockOut({ instanceType: c.instanceType, zone: c.zone, capacityType: 'spot' });
        const instance = await cloud.createInstance(launchRequest(randomUUID(), [...spot, ...onDemand], imageId, securityGroupIds));
        assert.equal(instance.capacityType, 'on-demand');
        assert.equal(instance.instanceType, onDemand[0]?.instanceType);
        await cloud.deleteInstance(instance.id);
      });

      it('reports every candidate when none has capacity, and launches nothing', async () => {
        const request = launchRequest(randomUUID(), candidates('on-demand', 3), imageId, securityGroupIds);
        for (const c of request.candidates) sim.faults.stockOut({ instanceType: c.instanceType, zone: c.zone, capacityType: 'on-demand' });
        const before = liveInstances().length;
        const err = await cloud.createInstance(request).then(
          () => assert.fail('expected InsufficientCapacity'),
          (e: unknown) => e,
        );
        assert.ok(isCloudError(err, 'InsufficientCapacity'), String(err));
        assert.deepEqual(
          err.failedCandidates.map((f) => [f.instanceType, f.zone, f.capacityType, f.code]),
          request.candidates.map((c) => [c.instanceType, c.zone, c.capacityType, 'OperationDenied.NoStock']),
        );
        assert.equal(liveInstances().length, before);
      });

      it('surfaces a vSwitch without free addresses as IpExhausted', async () => {
        const [candidate] = candidates('on-demand', 1);
        assert.ok(candidate);
        sim.faults.exhaustVSwitch(candidate.vSwitchId);
        try {
          await assert.rejects(cloud.createInstance(launchRequest(randomUUID(), [candidate], imageId, securityGroupIds)), {
            kind: 'IpExhausted',
          });
        } finally {
          sim.faults.restoreVSwitch(candidate.vSwitchId);
        }
      });

      it('does not try other candidates after an error none of them can fix', async () => {
        const request = launchRequest(randomUUID(), candidates('on-demand', 3), 'm-does-not-exist', securityGroupIds);
        sim.state.resetCalls();
        await assert.rejects(cloud.createInstance(request), (err: unknown) => isCloudError(err, 'NotFound') && err.code === 'InvalidImageId.NotFound');
        assert.ok(sim.state.callCount(launchApi) <= 1);
      });
    });
  }

  it('gets, lists by tag, tags and deletes instances; deleting twice is fine', async () => {
    const request = launchRequest(randomUUID(), candidates('on-demand', 1), imageId, securityGroupIds);
    const instance = await p.cloud.createInstance(request);
    assert.equal((await p.cloud.getInstance(instance.id))?.id, instance.id);
    assert.equal(await p.cloud.getInstance('i-doesnotexist0000000'), undefined);

    const owner = request.tags['karpenter.k8s.alibabacloud/nodeclaim'] ?? '';
    assert.deepEqual((await p.cloud.listInstances({ 'karpenter.k8s.alibabacloud/nodeclaim': owner })).map((i) => i.id), [instance.id]);

    await p.cloud.tagInstance(instance.id, { 'karpenter.sh/nodepool': 'default' });
    assert.equal((await p.cloud.getInstance(instance.id))?.tags['karpenter.sh/nodepool'], 'default');

    await p.cloud.deleteInstance(instance.id);
    await p.cloud.deleteInstance(instance.id);
    const gone = await p.cloud.getInstance(instance.id);
    assert.ok(gone === undefined || gone.state === 'Deleted' || gone.state === 'Stopping', `state ${gone?.state}`);
  });

  it('lists instances across pages', async () => {
    const paged = providerFor(sim, { pageSize: 2 });
    const tag = { 'karpenter.k8s.alibabacloud/cluster': `paging-${randomUUID().slice(0, 8)}` };
    const launched = [];
    for (let i = 0; i < 5; i++) {
      const request = launchRequest(randomUUID(), candidates('on-demand', 1), imageId, securityGroupIds);
      launched.push(await p.cloud.createInstance({ ...request, tags: { ...request.tags, ...tag } }));
    }
    sim.state.resetCalls();
    const listed = await paged.cloud.listInstances(tag);
    assert.deepEqual(listed.map((i) => i.id).sort(), launched.map((i) => i.id).sort());
    assert.equal(sim.state.callCount('DescribeInstances'), 3);
    for (const instance of launched) await p.cloud.deleteInstance(instance.id);
  });
});
