// The bank scenario of issue 7 through Kubernetes: the IPAM controllers in an in-process Manager
// (with the PodNetworking controller writing status Ready), a real control plane with kwok, the
// simulator through the real SDK. A launched instance gets a warm pool (default and the planned
// core-trade network) before its Node registers; core-trade pods get addresses from the core
// vSwitch on ENIs with the core security group, office pods from the default pod vSwitch, never
// on one ENI; kwok reports the VPC address as status.podIP; an exhausted vSwitch is named in a
// Warning Event; a StatefulSet pod keeps its IP across delete and recreate; a fresh operator
// rebuilds from the CRs; scale-down, PodNetworking deletion and node deletion leak nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Instance } from '../../../src/cloud/types.js';
import { eventually } from '../../harness/eventually.js';
import { pauseDeployment } from '../../harness/workloads.js';
import { checkNoDoubleAllocation, checkNothingLeaked, podIpsOf, readState, startIpamK8sEnv, type IpamK8sEnv, type NetworkNodeJson, type PodJson } from './env.js';

const ns = 'bank';

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base ?? '') / size);
}

function deployment(name: string, replicas: number, labels: Record<string, string>) {
  return pauseDeployment(name, { namespace: ns, replicas, labels, requests: { cpu: '100m', memory: '64Mi' } });
}

describe('IPAM through Kubernetes: the bank scenario', { timeout: 300_000 }, () => {
  let env: IpamK8sEnv;
  let instanceA: Instance;
  let instanceB: Instance;
  let nodeA = '';
  let nodeB = '';
  let coreCidr = '';
  let officeCidr = '';

  const pods = async (app: string): Promise<PodJson[]> =>
    (await env.getJson<{ items: PodJson[] }>(['get', 'pods', '-n', ns, '-l', `app=${app}`])).items.filter((p) => !p.metadata.deletionTimestamp);
  const networkNode = async (name: string): Promise<NetworkNodeJson | undefined> => {
    const r = await env.cp.kubectl(['get', 'nodes.network.alibabacloud.com', name, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as NetworkNodeJson) : undefined;
  };
  const idleBySg = (node: NetworkNodeJson | undefined, sg: string): number =>
    Object.values(node?.status?.networkInterfaces ?? {})
      .filter((e) => e.usage === 'Shared' && (e.securityGroupIDs ?? []).join(',') === sg)
      .reduce((n, e) => n + Object.values(e.ipv4 ?? {}).filter((ip) => !ip.podID && ip.status === 'Valid').length, 0);
  /** Every pod of `app` Running with an IPAM address that kwok reports as its podIP. */
  const allAddressed = (app: string, replicas: number) =>
    eventually(`${replicas} ${app} pods have their IPAM address as podIP`, async () => {
      const list = await pods(app);
      if (list.length !== replicas) return undefined;
      return list.every((p) => podIpsOf(p) && p.status?.podIP === podIpsOf(p)) ? list : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });

  async function launch(): Promise<Instance> {
    try {
      return await env.sim.launch('ecs.g7.xlarge');
    } catch {
      return env.sim.launch('ecs.g7.2xlarge');
    }
  }

  before(async () => {
    env = await startIpamK8sEnv({ ipam: { vSwitchBlockMs: 2_000 } });
    const vSwitches = env.sim.sim.state.vSwitches();
    coreCidr = vSwitches.find((v) => v.id === env.sim.coreVSwitch)?.cidrBlock ?? '';
    officeCidr = vSwitches.find((v) => v.id === env.sim.defaultVSwitch)?.cidrBlock ?? '';
    await env.kubectl(['create', 'namespace', ns]);
    await env.apply({
      apiVersion: 'network.alibabacloud.com/v1beta1',
      kind: 'PodNetworking',
      metadata: { name: 'core-trade' },
      spec: { selector: { podSelector: { matchLabels: { 'app-type': 'core-trade' } } }, vSwitchOptions: [env.sim.coreVSwitch], securityGroupIDs: [env.sim.coreSg] },
    });
    await env.apply({
      apiVersion: 'network.alibabacloud.com/v1beta1',
      kind: 'PodNetworking',
      metadata: { name: 'ledger-fixed' },
      spec: { selector: { podSelector: { matchLabels: { app: 'ledger' } } }, allocationType: { type: 'Fixed', releaseStrategy: 'TTL', releaseAfter: '10m' } },
    });
    for (const name of ['core-trade', 'ledger-fixed']) {
      await eventually(`PodNetworking ${name} is Ready`, async () => {
        const pn = await env.getJson<{ status?: { status?: string } }>(['get', 'podnetworking', name]);
        return pn.status?.status === 'Ready' ? true : undefined;
      });
    }
  });

  after(async () => {
    await env?.stop();
  });

  it('warms a launched instance before its Node registers: minPoolSize default IPs and the planned core-trade IPs', async () => {
    instanceA = await launch();
    await env.apply({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: {
        name: 'bank-a',
        labels: { 'karpenter.sh/nodepool': 'default' },
        annotations: { 'karpenter.k8s.alibabacloud/planned-pod-networks': JSON.stringify({ 'core-trade': 3, '': 2 }) },
      },
      spec: { nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'default' }, requirements: [] },
    });
    await env.kubectl(['patch', 'nodeclaim', 'bank-a', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { providerID: `${env.sim.sim.region}.${instanceA.id}` } })]);
    nodeA = `${env.sim.sim.region}.${instanceA.privateIpAddress}`;
    const warmed = await eventually('the pool of the launched instance is warm for both networks', async () => {
      const record = await networkNode(nodeA);
      return record && idleBySg(record, env.sim.defaultSg) >= 2 && idleBySg(record, env.sim.coreSg) >= 3 ? record : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(warmed.spec?.nodeMetadata?.instanceID, instanceA.id);
    const node = await env.cp.kubectl(['get', 'node', nodeA]);
    assert.notEqual(node.code, 0, 'the Node must not exist yet: the pool was warmed from the NodeClaim alone');
    // The IPs are real: assigned in the cloud to ENIs attached to the instance.
    const cloudEnis = env.sim.sim.state.networkInterfaces().filter((e) => e.instanceId === instanceA.id && e.type === 'Secondary');
    assert.ok(cloudEnis.some((e) => e.securityGroupIds.includes(env.sim.coreSg) && e.vSwitchId === env.sim.coreVSwitch));
    assert.ok(cloudEnis.some((e) => e.securityGroupIds.includes(env.sim.defaultSg) && e.vSwitchId === env.sim.defaultVSwitch));
  });

  it('gives core-trade pods core vSwitch IPs with sg-core-trade and office pods default IPs, never on one ENI', async () => {
    await env.joinNode(instanceA);
    instanceB = await launch();
    // A node Karpenter does not manage: known from its providerID alone.
    nodeB = await env.joinNode(instanceB);
    await eventually('the unmanaged node is warm', async () => (idleBySg(await networkNode(nodeB), env.sim.defaultSg) >= 2 ? true : undefined), { timeoutMs: 30_000 });

    await env.apply(deployment('core-trade', 4, { 'app-type': 'core-trade' }));
    await env.apply(deployment('office', 6, {}));
    const core = await allAddressed('core-trade', 4);
    const office = await allAddressed('office', 6);

    const { podENIs, networkNodes } = await readState(env, ns);
    const eniOfPod = new Map<string, string>();
    for (const pod of [...core, ...office]) {
      const ip = podIpsOf(pod) ?? '';
      const record = podENIs.find((p) => p.metadata.name === pod.metadata.name);
      const alloc = record?.spec?.allocations?.[0];
      const isCore = pod.metadata.labels?.['app-type'] === 'core-trade';
      assert.ok(inCidr(ip, isCore ? coreCidr : officeCidr), `${pod.metadata.name}: ${ip} is not in ${isCore ? coreCidr : officeCidr}`);
      assert.equal(alloc?.eni?.vSwitchID, isCore ? env.sim.coreVSwitch : env.sim.defaultVSwitch);
      assert.deepEqual(alloc?.eni?.securityGroupIDs, [isCore ? env.sim.coreSg : env.sim.defaultSg]);
      assert.equal(record?.metadata.annotations?.['k8s.aliyun.com/pod-networking'], isCore ? 'core-trade' : undefined);
      eniOfPod.set(`${ns}/${pod.metadata.name}`, alloc?.eni?.id ?? '');
    }
    // No ENI carries both kinds: per ENI record, the pods holding its addresses are all core or all office.
    for (const node of networkNodes) {
      for (const eni of Object.values(node.status?.networkInterfaces ?? {})) {
        const holders = Object.values(eni.ipv4 ?? {}).map((ip) => ip.podID).filter((p): p is string => p !== undefined && p.startsWith(`${ns}/`));
        const kinds = new Set(holders.map((h) => (h.startsWith(`${ns}/core-trade-`) ? 'core' : 'office')));
        assert.ok(kinds.size <= 1, `ENI ${eni.id} carries core-trade and office pods: ${holders.join(', ')}`);
      }
    }
    // The cloud agrees: each pod's ENI has the pod's security group.
    const cloudEnis = new Map(env.sim.sim.state.networkInterfaces().map((e) => [e.id, e]));
    for (const pod of core) assert.deepEqual(cloudEnis.get(eniOfPod.get(`${ns}/${pod.metadata.name}`) ?? '')?.securityGroupIds, [env.sim.coreSg]);
    for (const pod of office) assert.deepEqual(cloudEnis.get(eniOfPod.get(`${ns}/${pod.metadata.name}`) ?? '')?.securityGroupIds, [env.sim.defaultSg]);
    await checkNoDoubleAllocation(env);
    // Terway's metric names, with the result label the chart's dashboard queries.
    const metrics = await env.registry.metrics();
    assert.match(metrics, /terway_resource_pool_total_count\{name="[^"]+",type="eniip"/);
    assert.match(metrics, /ack_node_operator_ipam_allocation_duration_seconds_count\{eni_type="ENIIP",result="success"\} \d+/);
  });

  it('names the exhausted vSwitch in a Warning Event, and the pod gets its address once IPs are back', async () => {
    // Drain the warm core-trade pool first, so the next pods need the cloud.
    env.sim.sim.faults.exhaustVSwitch(env.sim.coreVSwitch);
    await env.kubectl(['scale', 'deployment/core-trade', '-n', ns, '--replicas=12']);
    const event = await eventually('an AllocIPFailed Event names the core vSwitch', async () => {
      const events = await env.getJson<{ items: { reason: string; note?: string; regarding?: { name?: string } }[] }>(['get', 'events.events.k8s.io', '-n', ns]);
      return events.items.find((e) => e.reason === 'AllocIPFailed' && e.note?.includes(env.sim.coreVSwitch));
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.match(event.note ?? '', /IpExhausted/);
    env.sim.sim.faults.restoreVSwitch(env.sim.coreVSwitch);
    await allAddressed('core-trade', 12);
    await checkNoDoubleAllocation(env);
  });

  it('keeps a StatefulSet pod\'s IP and zone when it is deleted and recreated (Fixed PodNetworking)', async () => {
    await env.apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'ledger', namespace: ns },
      spec: {
        replicas: 1,
        serviceName: 'ledger',
        selector: { matchLabels: { app: 'ledger' } },
        template: {
          metadata: { labels: { app: 'ledger' } },
          spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9' }] },
        },
      },
    });
    const [first] = await allAddressed('ledger', 1);
    assert.ok(first);
    const ip = podIpsOf(first);
    assert.equal(first.metadata.annotations?.['k8s.aliyun.com/pod-eni'], 'true', 'a fixed IP rides an ENI of its own');
    const before = (await readState(env, ns)).podENIs.find((p) => p.metadata.name === 'ledger-0');
    assert.equal(before?.spec?.allocations?.[0]?.allocationType?.type, 'Fixed');

    await env.kubectl(['delete', 'pod', 'ledger-0', '-n', ns, '--wait=true']);
    const second = await eventually('ledger-0 is recreated with an address', async () => {
      const [p] = await pods('ledger');
      return p && p.metadata.uid !== first.metadata.uid && podIpsOf(p) && p.status?.podIP === podIpsOf(p) ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.equal(podIpsOf(second), ip, 'the recreated pod has the same IP');
    const afterRecreate = (await readState(env, ns)).podENIs.find((p) => p.metadata.name === 'ledger-0');
    assert.equal(afterRecreate?.spec?.zone, before?.spec?.zone);
    assert.equal(afterRecreate?.metadata.annotations?.['k8s.aliyun.com/pod-uid'], second.metadata.uid);
    await checkNoDoubleAllocation(env);
  });

  it('a fresh operator rebuilds from the CRs: existing pods keep their addresses, new pods get unique ones', async () => {
    const beforeRestart = new Map((await pods('office')).map((p) => [p.metadata.name, podIpsOf(p)]));
    await env.restart();
    await env.kubectl(['scale', 'deployment/office', '-n', ns, '--replicas=10']);
    const office = await allAddressed('office', 10);
    for (const p of office) if (beforeRestart.has(p.metadata.name)) assert.equal(podIpsOf(p), beforeRestart.get(p.metadata.name));
    await checkNoDoubleAllocation(env);
  });

  it('releases everything on scale-down, PodNetworking deletion and node deletion: no ENI or IP leaks', async () => {
    await env.kubectl(['delete', 'deployment', 'core-trade', 'office', '-n', ns]);
    await env.kubectl(['delete', 'statefulset', 'ledger', '-n', ns]);
    await eventually('only the fixed IP is kept, unbound', async () => {
      const { podENIs } = await readState(env, ns);
      return podENIs.length === 1 && podENIs[0]?.metadata.name === 'ledger-0' && podENIs[0]?.status?.phase === 'Unbind' ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await env.kubectl(['delete', 'podnetworking', 'ledger-fixed']);
    await eventually('the fixed IP is released with its PodNetworking', async () => ((await readState(env, ns)).podENIs.length === 0 ? true : undefined), { timeoutMs: 30_000 });

    await env.kubectl(['delete', 'node', nodeB]);
    await eventually('the unmanaged node\'s pool is gone and its ENIs deleted', async () => {
      const gone = (await networkNode(nodeB)) === undefined;
      const left = env.sim.sim.state.networkInterfaces().filter((e) => e.tags['creator'] === 'terway' && e.tags['instance-id'] === instanceB.id);
      return gone && left.length === 0 ? true : undefined;
    }, { timeoutMs: 30_000 });
    await env.kubectl(['delete', 'node', nodeA]);
    await env.kubectl(['delete', 'nodeclaim', 'bank-a']);
    await eventually('the Karpenter node\'s pool is gone', async () => ((await networkNode(nodeA)) === undefined ? true : undefined), { timeoutMs: 30_000 });
    await checkNothingLeaked(env);
    assert.equal(env.sim.sim.state.networkInterfaces().filter((e) => e.type === 'Secondary').length, 0, 'every secondary ENI was deleted');
  });
});
