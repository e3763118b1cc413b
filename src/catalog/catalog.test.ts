// The catalog against the simulator through the real SDK and the real Alibaba provider: what a
// node class can launch, with the allocatable, pod density and offerings a user would see.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ECSNodeClass, type KubeletConfiguration } from '../apis/ecsnodeclass.js';
import { providerFor } from '../cloud/alibaba/testing.js';
import type { AlibabaCloudProvider } from '../cloud/alibaba/provider.js';
import type { InstanceType } from '../scheduling/index.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';
import { createInstanceTypeCatalog, type InstanceTypeCatalog } from './index.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const silent = pino({ level: 'silent' });

function nodeClass(opts: { zones: string[]; kubelet?: KubeletConfiguration; archs?: ('amd64' | 'arm64')[]; systemDiskGiB?: number }): ECSNodeClass {
  return ECSNodeClass.parse({
    apiVersion: 'karpenter.k8s.alibabacloud/v1alpha1',
    kind: 'ECSNodeClass',
    metadata: { name: 'test' },
    spec: {
      vSwitchSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'local' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'local' } }],
      imageSelectorTerms: [{ alias: 'ContainerOS' }],
      ...(opts.kubelet ? { kubeletConfiguration: opts.kubelet } : {}),
      ...(opts.systemDiskGiB ? { systemDisk: { size: opts.systemDiskGiB } } : {}),
    },
    status: {
      vSwitches: opts.zones.map((zone, i) => ({ id: `vsw-test${i}`, zoneID: zone, availableIPAddressCount: 100 })),
      ...(opts.archs
        ? { images: opts.archs.map((arch, i) => ({ id: `m-test${i}`, requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: [arch] }] })) }
        : {}),
    },
  });
}

const byName = (types: InstanceType[], name: string) => {
  const type = types.find((t) => t.name === name);
  assert.ok(type, `${name} is in the catalog`);
  return type;
};

describe('instance-type catalog', () => {
  let sim: RunningSimulator;
  let cloud: AlibabaCloudProvider;
  let catalog: InstanceTypeCatalog;
  let registry: Registry;
  let clock = 1_000_000;
  let zones: string[];
  /** An amd64 type with 4 vCPUs and 16 GiB sold on demand in the first zone. */
  let typeName: string;

  before(async () => {
    sim = await startSimulator({ latencyProfile: 'zero' });
    ({ cloud } = providerFor(sim));
    registry = new Registry();
    catalog = createInstanceTypeCatalog(cloud, { logger: silent, registry, defaultEniType: 'Default', now: () => clock });
    zones = await cloud.listZones();
    const offerings = await cloud.listOfferings();
    const types = await cloud.listInstanceTypes();
    const candidate = types.find(
      (t) =>
        t.architecture === 'amd64' && t.vcpu === 4 && t.memoryMiB === 16 * 1024 && t.gpuCount === 0 && t.eniQuantity > 2 &&
        offerings.some((o) => o.instanceType === t.name && o.zone === zones[0] && o.capacityType === 'on-demand' && o.available),
    );
    assert.ok(candidate, 'the simulator sells a 4 vCPU / 16 GiB amd64 type on demand in the first zone');
    typeName = candidate.name;
  });
  after(async () => {
    await sim?.close();
  });

  it('is empty and not loaded before the first refresh', () => {
    assert.equal(catalog.loaded(), false);
    assert.deepEqual(catalog.forNodeClass(nodeClass({ zones })), []);
    assert.equal(catalog.info(typeName), undefined);
  });

  it('loads types and offerings once for concurrent refreshes, and bumps the version', async () => {
    sim.state.resetCalls();
    const before = catalog.version;
    await Promise.all([catalog.refresh(), catalog.refresh()]);
    assert.equal(catalog.loaded(), true);
    assert.ok(catalog.version > before);
    // DescribeInstanceTypes pages (302 types, 100 a page): one listing, not two.
    assert.equal(sim.state.callCount('DescribeInstanceTypes'), 4);
    assert.equal(sim.state.callCount('DescribeAvailableResource'), 2, 'on-demand and spot availability, once each');
    assert.equal(catalog.info(typeName)?.vcpu, 4);
  });

  it('reloads instance types only every 12 hours, offerings on every refresh', async () => {
    sim.state.resetCalls();
    await catalog.refresh();
    assert.equal(sim.state.callCount('DescribeInstanceTypes'), 0);
    assert.equal(sim.state.callCount('DescribeAvailableResource'), 2);
    clock += 12 * 60 * 60_000;
    await catalog.refresh();
    assert.equal(sim.state.callCount('DescribeInstanceTypes'), 4);
  });

  it('computes allocatable with the default kube-reserved and eviction thresholds', () => {
    const type = byName(catalog.forNodeClass(nodeClass({ zones })), typeName);
    const info = catalog.info(typeName);
    assert.ok(info);
    const pods = (info.eniQuantity - 1) * info.eniPrivateIpAddressQuantity;
    assert.equal(type.capacity.pods, pods, 'pods per node from the ENIIP model');
    // kube-reserved CPU for 4 cores: 6% of the first, 1% of the second, 0.5% of the next two.
    assert.equal(type.allocatable.cpu, 4000 - (60 + 10 + 5 + 5));
    assert.equal(type.allocatable.memory, 16 * Gi - (11 * pods + 255) * Mi - 100 * Mi);
    assert.equal(type.allocatable['ephemeral-storage'], 40 * Gi - 1 * Gi - 4 * Gi);
  });

  it('honours kubeReserved, systemReserved, evictionHard and evictionSoft of the node class', () => {
    const kubelet: KubeletConfiguration = {
      kubeReserved: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '2Gi' },
      systemReserved: { cpu: '200m', memory: '512Mi' },
      evictionHard: { 'memory.available': '1Gi' },
      evictionSoft: { 'memory.available': '5%', 'nodefs.available': '20%' },
      evictionSoftGracePeriod: { 'memory.available': '1m', 'nodefs.available': '1m' },
    };
    const type = byName(catalog.forNodeClass(nodeClass({ zones, kubelet, systemDiskGiB: 100 })), typeName);
    assert.equal(type.allocatable.cpu, 4000 - 500 - 200);
    // Eviction keeps the larger of hard (1 GiB) and soft (5% of 16 GiB = 0.8 GiB).
    assert.equal(type.allocatable.memory, 16 * Gi - 1 * Gi - 512 * Mi - 1 * Gi);
    // nodefs: soft 20% of the 100 GiB system disk beats the default hard 10%.
    assert.equal(type.capacity['ephemeral-storage'], 100 * Gi);
    assert.equal(type.allocatable['ephemeral-storage'], 100 * Gi - 2 * Gi - 20 * Gi);
  });

  it('caps max pods by kubelet maxPods and podsPerCore', () => {
    const info = catalog.info(typeName);
    assert.ok(info);
    const eniPods = (info.eniQuantity - 1) * info.eniPrivateIpAddressQuantity;
    assert.ok(eniPods > 8, 'the ENI model allows more than the caps below');
    const capped = byName(catalog.forNodeClass(nodeClass({ zones, kubelet: { maxPods: 7 } })), typeName);
    assert.equal(capped.capacity.pods, 7);
    const perCore = byName(catalog.forNodeClass(nodeClass({ zones, kubelet: { podsPerCore: 2 } })), typeName);
    assert.equal(perCore.capacity.pods, 8);
    const loose = byName(catalog.forNodeClass(nodeClass({ zones, kubelet: { maxPods: 500 } })), typeName);
    assert.equal(loose.capacity.pods, eniPods, 'maxPods above the ENI model does not raise it');
  });

  it('uses exclusive-ENI density when the cluster default is ENI', async () => {
    const eniCatalog = createInstanceTypeCatalog(cloud, { logger: silent, registry: new Registry(), defaultEniType: 'ENI' });
    await eniCatalog.refresh();
    const info = eniCatalog.info(typeName);
    assert.ok(info);
    assert.equal(byName(eniCatalog.forNodeClass(nodeClass({ zones })), typeName).capacity.pods, info.eniQuantity - 1);
  });

  it('offers only the zones of the node class vSwitches, and nothing before they are resolved', () => {
    const oneZone = catalog.forNodeClass(nodeClass({ zones: [zones[0] as string] }));
    assert.ok(oneZone.length > 0);
    for (const type of oneZone) for (const o of type.offerings) assert.equal(o.zone, zones[0]);
    const all = catalog.forNodeClass(nodeClass({ zones }));
    assert.ok(new Set(all.flatMap((t) => t.offerings.map((o) => o.zone))).size > 1);
    assert.deepEqual(catalog.forNodeClass(nodeClass({ zones: [] })), []);
  });

  it('leaves out architectures the node class has no image for', () => {
    const amd64Only = catalog.forNodeClass(nodeClass({ zones, archs: ['amd64'] }));
    assert.ok(amd64Only.length > 0);
    assert.ok(amd64Only.every((t) => t.labels['kubernetes.io/arch'] === 'amd64'));
    const both = catalog.forNodeClass(nodeClass({ zones, archs: ['amd64', 'arm64'] }));
    assert.ok(both.some((t) => t.labels['kubernetes.io/arch'] === 'arm64'));
  });

  it('marks a NoStock offering unavailable until its TTL passes, and says so in metrics', async () => {
    const offering = { instanceType: typeName, zone: zones[0] as string, capacityType: 'on-demand' as const };
    const isAvailable = () =>
      byName(catalog.forNodeClass(nodeClass({ zones })), typeName).offerings.find((o) => o.zone === offering.zone && o.capacityType === 'on-demand')
        ?.available;
    const metric = async () =>
      (await registry.getSingleMetric('karpenter_cloudprovider_instance_type_offering_available')?.get())?.values.find(
        (v) => v.labels.instance_type === typeName && v.labels.zone === offering.zone && v.labels.capacity_type === 'on-demand',
      )?.value;
    assert.equal(isAvailable(), true);
    assert.equal(await metric(), 1);

    const before = catalog.version;
    catalog.markUnavailable(offering, 'OperationDenied.NoStock');
    assert.ok(catalog.version > before);
    assert.equal(isAvailable(), false);
    assert.equal(await metric(), 0);
    assert.deepEqual(catalog.unavailableOfferings().map((e) => e.reason), ['OperationDenied.NoStock']);
    // Other offerings of the type are untouched.
    assert.ok(byName(catalog.forNodeClass(nodeClass({ zones })), typeName).offerings.some((o) => o.zone !== offering.zone && o.available));

    clock += 3 * 60_000 - 1;
    assert.equal(isAvailable(), false, 'still unavailable just before 3 minutes');
    const beforeExpiry = catalog.version;
    clock += 1;
    assert.equal(isAvailable(), true, 'available again after 3 minutes');
    assert.ok(catalog.version > beforeExpiry, 'expiry invalidates what callers cached');
    assert.equal(await metric(), 1);
  });

  it('caches per node class settings and version, and rebuilds when either changes', async () => {
    const a = catalog.forNodeClass(nodeClass({ zones }));
    assert.equal(catalog.forNodeClass(nodeClass({ zones })), a, 'same settings, same version: the same result');
    const other = catalog.forNodeClass(nodeClass({ zones, kubelet: { maxPods: 10 } }));
    assert.notEqual(other, a);
    assert.equal(catalog.forNodeClass(nodeClass({ zones })), a, 'another node class does not evict this one');
    await catalog.refresh();
    const refreshed = catalog.forNodeClass(nodeClass({ zones }));
    assert.notEqual(refreshed, a, 'a refresh invalidates the cache');
    assert.deepEqual(refreshed.map((t) => t.name), a.map((t) => t.name));
  });

  it('exports prices, cores and memory at scrape time', async () => {
    const text = await registry.metrics();
    const offerings = await cloud.listOfferings();
    const o = offerings.find((x) => x.instanceType === typeName && x.capacityType === 'spot');
    assert.ok(o);
    assert.match(
      text,
      new RegExp(`karpenter_cloudprovider_instance_type_offering_price_estimate\\{instance_type="${typeName.replace(/\./g, '\\.')}",capacity_type="spot",zone="${o.zone}"\\} ${o.pricePerHour}`),
    );
    assert.match(text, new RegExp(`karpenter_cloudprovider_instance_type_cpu_cores\\{instance_type="${typeName.replace(/\./g, '\\.')}"\\} 4\\n`));
    assert.match(text, new RegExp(`karpenter_cloudprovider_instance_type_memory_bytes\\{instance_type="${typeName.replace(/\./g, '\\.')}"\\} ${16 * Gi}\\n`));
  });
});
