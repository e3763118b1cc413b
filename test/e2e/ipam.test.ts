// Issue 7 acceptance, end to end: the bank scenario with the operator as a PROCESS (chart RBAC),
// provisioning real (simulated) nodes for the pods. The platform team's PodNetworking selects
// `app-type: core-trade` with the core vSwitches and sg-core-trade; the upstream NodePool and
// ECSNodeClass apply unchanged; developers deploy a core-trade Deployment and the inflate
// Deployment. Every core-trade pod's IP comes from a core vSwitch on an ENI with sg-core-trade,
// every office pod's from the default pod vSwitch, no ENI carries both, kwok reports the VPC IP
// as status.podIP, and scaling to zero releases every allocation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../harness/eventually.js';
import { startE2e, type E2eEnv } from '../harness/e2e.js';
import { pauseDeployment } from '../harness/workloads.js';

interface PodJson {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string };
}
interface PodENIJson {
  metadata: { name: string };
  spec?: { allocations?: { ipv4?: string; eni?: { id?: string; vSwitchID?: string; securityGroupIDs?: string[] } }[] };
}

/** As Karpenter's inflate Deployment: any capacity type, but only on Karpenter's nodes. */
function deployment(name: string, replicas: number, labels: Record<string, string>, cpu: string) {
  return pauseDeployment(name, {
    replicas,
    labels,
    requests: { cpu, memory: '256Mi' },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'Exists' }] }] } } },
    image: 'public.ecr.aws/eks-distro/kubernetes/pause:3.7',
  });
}

describe('IPAM end to end: the bank scenario (issue 7)', { timeout: 600_000 }, () => {
  let env: E2eEnv;
  let coreVSwitches: string[];
  let coreSg: string;
  let defaultSg: string;
  let podVSwitches: string[];
  let lastWarnings = '';

  before(async () => {
    env = await startE2e({ operatorArgs: ['--batch-idle-duration=1s', '--batch-max-duration=10s', '--ipam-min-pool-size=2', '--ipam-max-pool-size=8'] });
    const vSwitches = env.simulator.state.vSwitches();
    coreVSwitches = vSwitches.filter((v) => v.name.startsWith('core-trade-')).map((v) => v.id);
    podVSwitches = vSwitches.filter((v) => v.name.startsWith('pod-vsw-')).map((v) => v.id);
    const groups = env.simulator.state.securityGroups();
    coreSg = groups.find((g) => g.name === 'sg-core-trade')?.id ?? '';
    defaultSg = groups.find((g) => g.name === 'sg-default')?.id ?? '';
    assert.ok(coreVSwitches.length > 0 && coreSg && defaultSg);
  });
  after(async () => {
    await env?.stop();
  });

  const pods = async (app: string) => ((await env.getJson(['pods', '-l', `app=${app}`])) as { items: PodJson[] }).items;
  const podENIs = async () => ((await env.getJson(['podenis.network.alibabacloud.com', '-A'])) as { items: PodENIJson[] }).items;

  // kube-scheduler alone would bind a core-trade pod to any node; the operator's admission webhook
  // pins it to the zones of the core vSwitches (as Terway's does), and the provisioner only
  // launches types with an ENI slot per pod network in use.
  it('core-trade pods get core vSwitch IPs with sg-core-trade, office pods default IPs, never on one ENI', async () => {
    await env.apply(await env.upstream('karpenter-alibabacloud-getting-started.yaml'));
    await env.apply(JSON.stringify({
      apiVersion: 'network.alibabacloud.com/v1beta1',
      kind: 'PodNetworking',
      metadata: { name: 'core-trade' },
      spec: { selector: { podSelector: { matchLabels: { 'app-type': 'core-trade' } } }, vSwitchOptions: coreVSwitches, securityGroupIDs: [coreSg] },
    }));
    await eventually('PodNetworking core-trade is Ready', async () => {
      const pn = (await env.getJson(['podnetworking', 'core-trade'])) as { status?: { status?: string } };
      return pn.status?.status === 'Ready' ? true : undefined;
    });
    await env.apply(JSON.stringify(deployment('core-trade', 3, { 'app-type': 'core-trade' }, '500m')));
    await env.apply(JSON.stringify(deployment('office', 5, {}, '250m')));

    let seen = '';
    const all = await eventually('every pod runs with its IPAM address as podIP', async () => {
      const list = [...(await pods('core-trade')), ...(await pods('office'))];
      seen = list.map((p) => `${p.metadata.name}@${p.spec.nodeName ?? '-'}:${p.status.phase}:${p.metadata.annotations?.['k8s.aliyun.com/pod-ips'] ?? '-'}/${p.status.podIP ?? '-'}`).join(' ');
      if (list.length !== 8) return undefined;
      return list.every((p) => p.status.phase === 'Running' && p.metadata.annotations?.['k8s.aliyun.com/pod-ips'] && p.status.podIP === p.metadata.annotations['k8s.aliyun.com/pod-ips']) ? list : undefined;
    }, {
      timeoutMs: 240_000,
      intervalMs: 2_000,
      lastSeen: () => `${seen}\noperator warnings:\n${lastWarnings}`,
    }).catch(async (err: unknown) => {
      const events = (await env.getJson(['events.events.k8s.io'])) as { items: { reason?: string; note?: string; regarding?: { name?: string } }[] };
      const podEvents = events.items.filter((e) => e.regarding?.name?.startsWith('core-trade')).map((e) => `${e.regarding?.name} ${e.reason}: ${e.note}`);
      const ipamLines = (await env.operator.log()).split('\n').filter((l) => /"level":(40|50)|ipam|core-trade/.test(l)).slice(-25);
      lastWarnings = [...podEvents.slice(-10), ...ipamLines].join('\n');
      throw new Error(`${(err as Error).message}\noperator warnings:\n${lastWarnings}`);
    });

    // Admission pinned every core-trade pod to its PodNetworking and to the core vSwitch zones.
    const coreZones = new Set(env.simulator.state.vSwitches().filter((v) => coreVSwitches.includes(v.id)).map((v) => v.zoneId));
    const nodeZones = new Map(((await env.getJson(['nodes'])) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] }).items
      .map((n) => [n.metadata.name, n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '']));
    for (const pod of all.filter((p) => p.metadata.labels?.['app-type'] === 'core-trade')) {
      assert.equal(pod.metadata.annotations?.['k8s.aliyun.com/pod-networking'], 'core-trade');
      assert.ok(coreZones.has(nodeZones.get(pod.spec.nodeName ?? '') ?? ''), `${pod.metadata.name} runs on ${pod.spec.nodeName} in ${nodeZones.get(pod.spec.nodeName ?? '')}, outside the core zones ${[...coreZones].join(', ')}`);
    }
    for (const pod of all.filter((p) => p.metadata.labels?.['app-type'] !== 'core-trade')) {
      assert.equal(pod.metadata.annotations?.['k8s.aliyun.com/pod-networking'], undefined, `${pod.metadata.name} is not on a PodNetworking`);
    }

    const records = new Map((await podENIs()).map((r) => [r.metadata.name, r.spec?.allocations?.[0]]));
    const eniKinds = new Map<string, Set<string>>();
    for (const pod of all) {
      const isCore = pod.metadata.labels?.['app-type'] === 'core-trade';
      const alloc = records.get(pod.metadata.name);
      assert.equal(alloc?.ipv4, pod.status.podIP);
      assert.ok((isCore ? coreVSwitches : podVSwitches).includes(alloc?.eni?.vSwitchID ?? ''), `${pod.metadata.name} got an address from ${alloc?.eni?.vSwitchID}`);
      assert.deepEqual(alloc?.eni?.securityGroupIDs, [isCore ? coreSg : defaultSg]);
      const kinds = eniKinds.get(alloc?.eni?.id ?? '') ?? new Set<string>();
      kinds.add(isCore ? 'core' : 'office');
      eniKinds.set(alloc?.eni?.id ?? '', kinds);
    }
    for (const [eni, kinds] of eniKinds) assert.equal(kinds.size, 1, `ENI ${eni} carries core-trade and office pods`);
    // The cloud agrees on each ENI's security groups.
    const cloud = new Map(env.simulator.state.networkInterfaces().map((e) => [e.id, e]));
    for (const [eni, kinds] of eniKinds) assert.deepEqual(cloud.get(eni)?.securityGroupIds, [kinds.has('core') ? coreSg : defaultSg]);
    assert.equal(new Set(all.map((p) => p.status.podIP)).size, all.length, 'an address is on two pods');
    assert.deepEqual(env.simulator.state.checkConsistency(), []);
  });

  it('refuses, at kubectl apply, a pod that names a PodNetworking that does not exist', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'typo', namespace: 'default', annotations: { 'k8s.aliyun.com/pod-networking': 'core-trade-typo' } },
      spec: { containers: [{ name: 'pause', image: 'public.ecr.aws/eks-distro/kubernetes/pause:3.7' }] },
    };
    const result = await env.cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    assert.notEqual(result.code, 0, 'the pod was admitted');
    assert.match(result.stderr, /denied the request: pod network annotations \(k8s\.aliyun\.com\/pod-networking\): PodNetworking core-trade-typo named by k8s\.aliyun\.com\/pod-networking does not exist/);
    assert.equal((await env.cp.kubectl(['get', 'pod', 'typo'])).code, 1, 'nothing was created');
  });

  it('scaling to zero releases every allocation', async () => {
    await env.kubectl(['scale', 'deployment', 'core-trade', 'office', '--replicas=0']);
    await eventually('no PodENI is left', async () => ((await podENIs()).length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 2_000 });
  });
});
