// Which network a pod gets: PodNetworking matching, annotations, defaults, fixed IPs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodNetworking } from '../apis/podnetworking.js';
import { defaultPodNetworkSchema } from './config.js';
import { resolvePodNetwork, type PodFacts, type PodNetworkResolution, type ResolvedPodNetwork } from './pod-network-resolver.js';

const defaults = defaultPodNetworkSchema.parse({
  vSwitchesByZone: { 'cn-hangzhou-h': ['vsw-pod-h'], 'cn-hangzhou-i': ['vsw-pod-i'] },
  securityGroupIds: ['sg-default'],
});

function pn(name: string, spec: Partial<PodNetworking['spec']>, opts: { created?: string; ready?: boolean; zones?: Record<string, string> } = {}): PodNetworking {
  return {
    apiVersion: 'network.alibabacloud.com/v1beta1',
    kind: 'PodNetworking',
    metadata: { name, creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z' },
    spec: {
      eniOptions: { eniType: 'Default' },
      vSwitchSelectOptions: { vSwitchSelectionPolicy: 'ordered' },
      ...spec,
    },
    status: {
      status: opts.ready === false ? 'Fail' : 'Ready',
      vSwitches: Object.entries(opts.zones ?? {}).map(([id, zone]) => ({ id, zone })),
    },
  };
}

const core = pn(
  'core-trade',
  {
    selector: { podSelector: { matchLabels: { 'app-type': 'core-trade' } } },
    vSwitchOptions: ['vsw-core-a', 'vsw-core-b'],
    securityGroupIDs: ['sg-core'],
  },
  { zones: { 'vsw-core-a': 'cn-hangzhou-h', 'vsw-core-b': 'cn-hangzhou-i' } },
);

function resolved(r: PodNetworkResolution): ResolvedPodNetwork {
  assert.equal(r.kind, 'Resolved', JSON.stringify(r));
  return (r as { network: ResolvedPodNetwork }).network;
}

const pod = (labels: Record<string, string> = {}, extra: Partial<PodFacts> = {}): PodFacts => ({ namespace: 'bank', name: 'p', labels, ...extra });

describe('resolvePodNetwork', () => {
  it('gives a core-trade pod the core vSwitches and security group, and an office pod the defaults', () => {
    const c = resolved(resolvePodNetwork({ pod: pod({ 'app-type': 'core-trade' }), namespaceLabels: {}, podNetworkings: [core], defaults }));
    assert.equal(c.podNetworking, 'core-trade');
    assert.deepEqual(c.securityGroupIds, ['sg-core']);
    assert.deepEqual(c.vSwitchesByZone, { 'cn-hangzhou-h': ['vsw-core-a'], 'cn-hangzhou-i': ['vsw-core-b'] });
    assert.equal(c.eniType, 'ENIIP');
    const o = resolved(resolvePodNetwork({ pod: pod({ app: 'office' }), namespaceLabels: {}, podNetworkings: [core], defaults }));
    assert.equal(o.source, 'Default');
    assert.deepEqual(o.securityGroupIds, ['sg-default']);
    assert.deepEqual(o.allowedZones, ['cn-hangzhou-h', 'cn-hangzhou-i']);
  });

  it('limits allowed zones to those of the PodNetworking vSwitches', () => {
    const oneZone = pn('one', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-x'] }, { zones: { 'vsw-x': 'cn-hangzhou-i' } });
    const r = resolved(resolvePodNetwork({ pod: pod(), namespaceLabels: {}, podNetworkings: [oneZone], defaults }));
    assert.deepEqual(r.allowedZones, ['cn-hangzhou-i']);
    assert.deepEqual(r.securityGroupIds, ['sg-default'], 'missing security groups come from the defaults');
  });

  it('requires every selector a PodNetworking sets to match, and ignores ones that are not Ready', () => {
    const both = pn('both', { selector: { podSelector: { matchLabels: { a: '1' } }, namespaceSelector: { matchLabels: { team: 'x' } } }, vSwitchOptions: ['vsw-pod-h'] });
    assert.equal(resolved(resolvePodNetwork({ pod: pod({ a: '1' }), namespaceLabels: { team: 'y' }, podNetworkings: [both], defaults })).source, 'Default');
    assert.equal(resolved(resolvePodNetwork({ pod: pod({ a: '1' }), namespaceLabels: { team: 'x' }, podNetworkings: [both], defaults })).podNetworking, 'both');
    const failed = pn('failed', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-h'] }, { ready: false });
    assert.equal(resolved(resolvePodNetwork({ pod: pod(), namespaceLabels: {}, podNetworkings: [failed], defaults })).source, 'Default');
  });

  it('breaks ties by creation time, then name, whatever the list order', () => {
    const older = pn('zeta', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-h'] }, { created: '2024-01-01T00:00:00Z' });
    const newer = pn('alpha', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-i'] }, { created: '2025-06-01T00:00:00Z' });
    const sameTime = pn('beta', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-i'] }, { created: '2024-01-01T00:00:00Z' });
    for (const list of [[older, newer, sameTime], [newer, sameTime, older]]) {
      assert.equal(resolved(resolvePodNetwork({ pod: pod(), namespaceLabels: {}, podNetworkings: list, defaults })).podNetworking, 'beta');
    }
  });

  it('matches a Fixed PodNetworking only for StatefulSet pods, which then get an ENI of their own', () => {
    const fixed = pn('fixed', {
      selector: { podSelector: { matchLabels: { app: 'db' } } },
      vSwitchOptions: ['vsw-pod-h'],
      allocationType: { type: 'Fixed', releaseStrategy: 'TTL', releaseAfter: '10m' },
    });
    const deploymentPod = pod({ app: 'db' }, { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] });
    assert.equal(resolved(resolvePodNetwork({ pod: deploymentPod, namespaceLabels: {}, podNetworkings: [fixed], defaults })).source, 'Default');
    const stsPod = pod({ app: 'db' }, { ownerReferences: [{ kind: 'StatefulSet', controller: true }] });
    const r = resolved(resolvePodNetwork({ pod: stsPod, namespaceLabels: {}, podNetworkings: [fixed], defaults }));
    assert.deepEqual(r.allocation, { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: 600_000 });
    assert.equal(r.eniType, 'ENI');
  });

  it('pins a fixed-IP pod to the zone its address lives in', () => {
    const fixed = pn(
      'fixed',
      { selector: { podSelector: {} }, vSwitchOptions: ['vsw-core-a', 'vsw-core-b'], allocationType: { type: 'Fixed', releaseStrategy: 'Never' } },
      { zones: { 'vsw-core-a': 'cn-hangzhou-h', 'vsw-core-b': 'cn-hangzhou-i' } },
    );
    const sts = pod({}, { ownerReferences: [{ kind: 'StatefulSet' }] });
    const r = resolved(resolvePodNetwork({ pod: sts, namespaceLabels: {}, podNetworkings: [fixed], defaults, previousZone: 'cn-hangzhou-i' }));
    assert.deepEqual(r.allowedZones, ['cn-hangzhou-i']);
  });

  it('honours Terway pod annotations before PodNetworkings, and refuses pod-networks with pod-networking', () => {
    const viaJson = resolved(
      resolvePodNetwork({
        pod: pod({ 'app-type': 'core-trade' }, { annotations: { 'k8s.aliyun.com/pod-networks': '{"podNetworks":[{"interface":"eth0","vSwitchOptions":["vsw-pod-i"],"securityGroupIDs":["sg-b","sg-a"]}]}' } }),
        namespaceLabels: {},
        podNetworkings: [core],
        defaults,
      }),
    );
    assert.equal(viaJson.source, 'Annotation');
    assert.deepEqual(viaJson.securityGroupIds, ['sg-a', 'sg-b']);
    assert.deepEqual(viaJson.allowedZones, ['cn-hangzhou-i']);
    const shorthand = resolved(
      resolvePodNetwork({
        pod: pod({}, { annotations: { 'k8s.aliyun.com/security-group': 'sg-x, sg-y' } }),
        namespaceLabels: {},
        podNetworkings: [],
        defaults,
      }),
    );
    assert.deepEqual(shorthand.securityGroupIds, ['sg-x', 'sg-y']);
    assert.deepEqual(shorthand.vSwitchIds, ['vsw-pod-h', 'vsw-pod-i']);
    const both = resolvePodNetwork({
      pod: pod({}, { annotations: { 'k8s.aliyun.com/pod-networks': '{"podNetworks":[]}', 'k8s.aliyun.com/pod-networking': 'core-trade' } }),
      namespaceLabels: {},
      podNetworkings: [core],
      defaults,
    });
    assert.equal(both.kind, 'Invalid');
  });

  it('uses a PodNetworking named by annotation only when it is Ready', () => {
    const named = pod({}, { annotations: { 'k8s.aliyun.com/pod-networking': 'core-trade' } });
    assert.equal(resolved(resolvePodNetwork({ pod: named, namespaceLabels: {}, podNetworkings: [core], defaults })).podNetworking, 'core-trade');
    const notReady = { ...core, status: { status: 'Fail' as const, message: 'vsw-core-b not found' } };
    const r = resolvePodNetwork({ pod: named, namespaceLabels: {}, podNetworkings: [notReady], defaults });
    assert.equal(r.kind, 'Invalid');
    assert.match((r as { message: string }).message, /not Ready: vsw-core-b not found/);
  });

  it('gives host-network and ignored pods no address', () => {
    assert.deepEqual(resolvePodNetwork({ pod: pod({}, { hostNetwork: true }), namespaceLabels: {}, podNetworkings: [], defaults }), { kind: 'NoAddress', reason: 'HostNetwork' });
    assert.deepEqual(resolvePodNetwork({ pod: pod({ 'k8s.aliyun.com/ignore-by-terway': 'true' }), namespaceLabels: {}, podNetworkings: [], defaults }), {
      kind: 'NoAddress',
      reason: 'IgnoredByTerway',
    });
  });

  it('maps eniType ENI and Trunk to the pod ENI types the density model knows', () => {
    const excl = pn('excl', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-h'], eniOptions: { eniType: 'ENI' } });
    assert.equal(resolved(resolvePodNetwork({ pod: pod(), namespaceLabels: {}, podNetworkings: [excl], defaults })).eniType, 'ENI');
    const trunk = pn('trunk', { selector: { podSelector: {} }, vSwitchOptions: ['vsw-pod-h'], eniOptions: { eniType: 'Trunk' } });
    assert.equal(resolved(resolvePodNetwork({ pod: pod(), namespaceLabels: {}, podNetworkings: [trunk], defaults })).eniType, 'Trunk');
  });
});
