// The demo's reading of the cluster and its summary: which IP a pod got from which vSwitch (the
// IPAM's PodENI first, else Terway's annotation matched against vSwitch CIDRs), what the progress
// lines say as NodeClaims launch and go, and the totals a person reads at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { History, progressLines } from '../../../hack/demo/progress.js';
import { buildSnapshot, costPerHour, vSwitchOfIp, type CloudVSwitch } from '../../../hack/demo/snapshot.js';
import { formatScaleDown, formatScaleUp, scaleUpSummary, withScaleDown } from '../../../hack/demo/summary.js';

const vSwitches: CloudVSwitch[] = [
  { id: 'vsw-pod-b', name: 'pod-vsw-cn-hangzhou-b', zoneId: 'cn-hangzhou-b', cidrBlock: '10.16.0.0/16', availableIpAddressCount: 100, tags: {} },
  { id: 'vsw-core-a', name: 'core-trade-a', zoneId: 'cn-hangzhou-b', cidrBlock: '10.100.0.0/24', availableIpAddressCount: 200, tags: {} },
];
const coreTrade = { vSwitchIds: ['vsw-core-a'], securityGroupId: 'sg-core' };

const claim = (name: string, extra: { deleting?: boolean; launched?: boolean } = {}) => ({
  kind: 'NodeClaim',
  metadata: {
    name,
    labels: { 'karpenter.sh/nodepool': 'ecsnodepool', 'node.kubernetes.io/instance-type': 'ecs.c7.large', 'topology.kubernetes.io/zone': 'cn-hangzhou-b', 'karpenter.sh/capacity-type': 'spot' },
    annotations: { 'karpenter.k8s.alibabacloud/price-per-hour': '0.0512' },
    ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: { providerID: 'cn-hangzhou.i-sim01', nodeName: 'cn-hangzhou.10.0.0.5', conditions: [{ type: 'Launched', status: extra.launched === false ? 'False' : 'True' }] },
});
const pod = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels, annotations },
  spec: { nodeName: 'cn-hangzhou.10.0.0.5' },
  status: { phase: 'Running' },
});
const podEni = (name: string, ipv4: string, vSwitchID: string, sg: string) => ({
  kind: 'PodENI',
  metadata: { name, namespace: 'default' },
  spec: { allocations: [{ ipv4, eni: { id: 'eni-1', vSwitchID, securityGroupIDs: [sg] } }] },
});
const apps = ['inflate', 'core-trade'];
const cloud = { instances: [{ id: 'i-sim01', status: 'Running', instanceType: 'ecs.c7.large', zoneId: 'cn-hangzhou-b', tags: {} }], vSwitches };

describe('the demo snapshot', () => {
  it('finds the vSwitch of an IP by CIDR', () => {
    assert.equal(vSwitchOfIp('10.100.0.9', vSwitches)?.name, 'core-trade-a');
    assert.equal(vSwitchOfIp('10.16.3.4', vSwitches)?.name, 'pod-vsw-cn-hangzhou-b');
    assert.equal(vSwitchOfIp('10.101.0.1', vSwitches), undefined);
    assert.equal(vSwitchOfIp('not-an-ip', vSwitches), undefined);
  });

  it('reads pod IPs from PodENIs, else from the Terway annotation, and skips other pods and odd objects', () => {
    const s = buildSnapshot({
      items: [
        claim('ecsnodepool-a'),
        pod('core-1', { app: 'core-trade', 'app-type': 'core-trade' }),
        podEni('core-1', '10.100.0.9', 'vsw-core-a', 'sg-core'),
        pod('inflate-1', { app: 'inflate' }, { 'k8s.aliyun.com/pod-ips': '10.16.0.7', 'k8s.aliyun.com/security-group': 'sg-default' }),
        pod('inflate-2', { app: 'inflate' }),
        pod('coredns', { app: 'kube-dns' }),
        { kind: 'Node', metadata: { name: 'n' }, spec: { providerID: 42 } },
      ],
    }, cloud, { apps, at: 0 });
    assert.deepEqual(s.pods.map((p) => [p.name, p.ip, p.vSwitchId, p.securityGroupIds]), [
      ['core-1', '10.100.0.9', 'vsw-core-a', ['sg-core']],
      ['inflate-1', '10.16.0.7', 'vsw-pod-b', ['sg-default']],
      ['inflate-2', undefined, undefined, []],
    ]);
    assert.equal(s.nodes.length, 0, 'a Node that does not parse is skipped, not fatal');
    assert.equal(s.claims[0]?.instanceId, 'i-sim01');
    assert.equal(costPerHour(s.claims), 0.0512);
  });
});

describe('the demo progress and summary', () => {
  it('tells launches, IPs and removals, and totals them', () => {
    const history = new History();
    const up = buildSnapshot({
      items: [
        claim('ecsnodepool-a'),
        pod('core-1', { app: 'core-trade', 'app-type': 'core-trade' }), podEni('core-1', '10.100.0.9', 'vsw-core-a', 'sg-core'),
        pod('inflate-1', { app: 'inflate' }), podEni('inflate-1', '10.16.0.7', 'vsw-pod-b', 'sg-default'),
      ],
    }, cloud, { apps, at: 1000 });
    history.record(up);
    const lines = progressLines(undefined, up);
    assert.ok(lines.some((l) => l.includes('ecsnodepool-a launched i-sim01: ecs.c7.large spot in cn-hangzhou-b at 0.0512 CNY/h')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('core-1') && l.includes('10.100.0.9 from core-trade-a (vsw-core-a) [sg-core]')), lines.join('\n'));

    const summary = scaleUpSummary({ scale: { inflate: 1, coreTrade: 1 }, history, peak: up, coreTrade, scaleUpSeconds: 42 });
    assert.deepEqual(summary.coreTrade, { ...coreTrade, pods: 1, podsOnCoreVSwitch: 1, podsWithCoreSecurityGroup: 1 });
    assert.deepEqual(summary.podsByVSwitch.map((v) => [v.name, v.pods.map((p) => p.ip)]), [['core-trade-a', ['10.100.0.9']], ['pod-vsw-cn-hangzhou-b', ['10.16.0.7']]]);
    assert.equal(summary.peakCostPerHour, 0.0512);
    const text = formatScaleUp(summary);
    assert.match(text, /Nodes launched \(1\):/);
    assert.match(text, /ecsnodepool-a\s+cn-hangzhou\.10\.0\.0\.5\s+ecs\.c7\.large\s+cn-hangzhou-b\s+spot\s+0\.0512 CNY\/h/);
    assert.match(text, /1\/1 core-trade pods on vsw-core-a/);

    const draining = buildSnapshot({ items: [claim('ecsnodepool-a', { deleting: true })] }, cloud, { apps, at: 2000 });
    assert.ok(progressLines(up, draining).some((l) => l.startsWith('- NodeClaim ecsnodepool-a is being removed')));
    const empty = buildSnapshot({ items: [] }, { instances: [], vSwitches }, { apps, at: 3000 });
    assert.ok(progressLines(draining, empty).includes('- NodeClaim ecsnodepool-a removed; instance i-sim01 released'));
    history.record(draining);
    history.record(empty);

    const final = withScaleDown(summary, { history, end: empty, seconds: 30 });
    assert.deepEqual(final.scaleDown?.remaining, { nodeClaims: 0, nodes: 0, instances: 0, scenarioPods: 0 });
    assert.deepEqual(final.scaleDown?.removed.map((n) => n.nodeClaim), ['ecsnodepool-a']);
    assert.match(formatScaleDown(final), /Nodes removed \(1 of 1 launched\):[\s\S]*0\.0512 CNY\/h at the peak, 0\.0000 CNY\/h now/);
  });
});
