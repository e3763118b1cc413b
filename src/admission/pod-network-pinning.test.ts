// What a new pod looks like after admission: pinned to its network's zones and PodNetworking,
// or refused when its own network annotations are wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodNetworking } from '../apis/podnetworking.js';
import { defaultPodNetworkSchema } from '../ipam/config.js';
import { resolvePodNetwork, type PodFacts } from '../ipam/pod-network-resolver.js';
import { admitPod, type AdmittedPod, type JsonPatchOperation, type PodAffinitySpec } from './pod-network-pinning.js';

const defaults = defaultPodNetworkSchema.parse({
  vSwitchesByZone: { 'cn-hangzhou-h': ['vsw-pod-h'], 'cn-hangzhou-i': ['vsw-pod-i'], 'cn-hangzhou-j': ['vsw-pod-j'] },
  securityGroupIds: ['sg-default'],
});

const coreTrade: PodNetworking = {
  apiVersion: 'network.alibabacloud.com/v1beta1',
  kind: 'PodNetworking',
  metadata: { name: 'core-trade', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: {
    selector: { podSelector: { matchLabels: { 'app-type': 'core-trade' } } },
    vSwitchOptions: ['vsw-core-b', 'vsw-core-e'],
    securityGroupIDs: ['sg-core'],
    eniOptions: { eniType: 'Default' },
    vSwitchSelectOptions: { vSwitchSelectionPolicy: 'ordered' },
  },
  status: { status: 'Ready', vSwitches: [{ id: 'vsw-core-b', zone: 'cn-hangzhou-b' }, { id: 'vsw-core-e', zone: 'cn-hangzhou-e' }] },
};

interface TestPod extends AdmittedPod {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string; affinity?: PodAffinitySpec };
}

/** RFC 6902 "add" as the API server applies it (the only op the webhook emits). */
function applyPatch<T>(doc: T, patch: readonly JsonPatchOperation[]): T {
  const out = structuredClone(doc) as Record<string, unknown>;
  for (const op of patch) {
    const path = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target = out;
    for (const segment of path.slice(0, -1)) {
      assert.equal(typeof target[segment], 'object', `patch path ${op.path} must exist up to its last segment`);
      target = target[segment] as Record<string, unknown>;
    }
    target[path.at(-1)!] = op.value;
  }
  return out as T;
}

function admit(pod: TestPod, podNetworkings: PodNetworking[] = [coreTrade], previousZone?: string) {
  const facts: PodFacts = { namespace: 'bank', name: 'p', labels: pod.metadata.labels ?? {}, annotations: pod.metadata.annotations ?? {} };
  const resolution = resolvePodNetwork({ pod: facts, namespaceLabels: {}, podNetworkings, defaults, ...(previousZone ? { previousZone } : {}) });
  const admission = admitPod(pod, resolution);
  return { admission, result: admission.allowed ? applyPatch(pod, admission.patch) : undefined };
}

const zoneTerm = { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['cn-hangzhou-b', 'cn-hangzhou-e'] };

describe('pod admission: pinning a pod to its network', () => {
  it('pins a core-trade pod to the zones of the core-trade vSwitches and to the PodNetworking', () => {
    const { result } = admit({ metadata: { labels: { 'app-type': 'core-trade' } }, spec: {} });
    assert.equal(result?.metadata.annotations?.['k8s.aliyun.com/pod-networking'], 'core-trade');
    assert.deepEqual(result?.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchExpressions: [zoneTerm] }]);
  });

  it('ANDs the zones into every term the pod already has, keeping its other affinities', () => {
    const affinity: PodAffinitySpec = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'k', operator: 'Exists' }] } }],
      },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] },
    };
    const { result } = admit({ metadata: { labels: { 'app-type': 'core-trade' }, annotations: { team: 'pay' } }, spec: { affinity } });
    assert.equal(result?.metadata.annotations?.team, 'pay');
    assert.equal(result?.metadata.annotations?.['k8s.aliyun.com/pod-networking'], 'core-trade');
    const na = result?.spec.affinity?.nodeAffinity;
    assert.deepEqual(na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }, zoneTerm] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }], matchExpressions: [zoneTerm] },
    ]);
    assert.deepEqual(na?.preferredDuringSchedulingIgnoredDuringExecution, affinity.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    assert.deepEqual(result?.spec.affinity?.podAntiAffinity, affinity.podAntiAffinity);
  });

  it('changes nothing on a second pass (reinvocation) once the pod is pinned', () => {
    const { result } = admit({ metadata: { labels: { 'app-type': 'core-trade' } }, spec: {} });
    const again = admit(result!);
    assert.deepEqual(again.admission.allowed && again.admission.patch, []);
  });

  it('leaves pods on the default network alone', () => {
    const { admission } = admit({ metadata: { labels: { app: 'office' } }, spec: {} });
    assert.deepEqual(admission.allowed && admission.patch, []);
  });

  it('pins a pod that names its vSwitches by annotation to their zones, without a PodNetworking annotation', () => {
    const { result } = admit({ metadata: { annotations: { 'k8s.aliyun.com/vswitches': 'vsw-pod-j' } }, spec: {} });
    assert.equal(result?.metadata.annotations?.['k8s.aliyun.com/pod-networking'], undefined);
    assert.deepEqual(result?.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['cn-hangzhou-j'] }] },
    ]);
  });

  it('sends a StatefulSet pod whose fixed IP is kept back to the zone of that IP', () => {
    const fixed: PodNetworking = { ...coreTrade, metadata: { ...coreTrade.metadata, name: 'ledger' }, spec: { ...coreTrade.spec, allocationType: { type: 'Fixed', releaseStrategy: 'Never' } } };
    const facts: PodFacts = { namespace: 'bank', name: 'ledger-0', labels: { 'app-type': 'core-trade' }, ownerReferences: [{ kind: 'StatefulSet', controller: true }] };
    const resolution = resolvePodNetwork({ pod: facts, namespaceLabels: {}, podNetworkings: [fixed], defaults, previousZone: 'cn-hangzhou-e' });
    const pod: TestPod = { metadata: { labels: { 'app-type': 'core-trade' } }, spec: {} };
    const admission = admitPod(pod, resolution);
    assert.ok(admission.allowed);
    const result = applyPatch(pod, admission.patch);
    assert.deepEqual(result.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['cn-hangzhou-e'] }] },
    ]);
  });

  it('does not pin a pod bound by nodeName (it skips the scheduler) but still records its PodNetworking', () => {
    const { result } = admit({ metadata: { labels: { 'app-type': 'core-trade' } }, spec: { nodeName: 'n1' } });
    assert.equal(result?.spec.affinity, undefined);
    assert.equal(result?.metadata.annotations?.['k8s.aliyun.com/pod-networking'], 'core-trade');
  });

  it('refuses a pod whose own network annotations are wrong, saying why', () => {
    const missing = admit({ metadata: { annotations: { 'k8s.aliyun.com/pod-networking': 'no-such-network' } }, spec: {} }).admission;
    assert.equal(missing.allowed, false);
    assert.match(!missing.allowed ? missing.message : '', /PodNetworking no-such-network named by k8s.aliyun.com\/pod-networking does not exist/);
    const both = admit({ metadata: { annotations: { 'k8s.aliyun.com/pod-networking': 'core-trade', 'k8s.aliyun.com/pod-networks': '{"podNetworks":[]}' } }, spec: {} }).admission;
    assert.equal(both.allowed, false);
    assert.match(!both.allowed ? both.message : '', /cannot be used together/);
  });

  it('admits, untouched, a pod whose network cannot resolve through no fault of its own', () => {
    const noDefaults = defaultPodNetworkSchema.parse({ vSwitchesByZone: {}, securityGroupIds: [] });
    const resolution = resolvePodNetwork({ pod: { namespace: 'bank', name: 'p', labels: {} }, namespaceLabels: {}, podNetworkings: [], defaults: noDefaults });
    assert.equal(resolution.kind, 'Invalid');
    assert.deepEqual(admitPod({ metadata: {}, spec: {} }, resolution), { allowed: true, patch: [] });
  });

  it('leaves host-network pods alone', () => {
    const resolution = resolvePodNetwork({ pod: { namespace: 'bank', name: 'p', labels: { 'app-type': 'core-trade' }, hostNetwork: true }, namespaceLabels: {}, podNetworkings: [coreTrade], defaults });
    assert.deepEqual(admitPod({ metadata: { labels: { 'app-type': 'core-trade' } }, spec: {} } as TestPod, resolution), { allowed: true, patch: [] });
  });
});
