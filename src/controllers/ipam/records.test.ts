// The IPAM's records survive the trip through their Kubernetes objects unchanged (what a restart
// rebuilds is what was written), and the objects pass the CRDs' own schemas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetworkNode } from '../../apis/networknode.js';
import { PodENI } from '../../apis/podeni.js';
import type { NodeIpamState, PodAllocation } from '../../ipam/state.js';
import { fromNetworkNode, fromPodENI, toNetworkNode, toPodENI } from './records.js';

const node: NodeIpamState = {
  name: 'cn-hangzhou.10.0.0.5',
  instanceId: 'i-sim1',
  instanceType: 'ecs.g7.xlarge',
  zone: 'cn-hangzhou-h',
  capacity: { adapters: 4, ipv4PerAdapter: 15 },
  pool: { minPoolSize: 2, maxPoolSize: 6 },
  enis: {
    'eni-1': {
      id: 'eni-1',
      macAddress: '00:16:3e:00:00:01',
      vSwitchId: 'vsw-pod',
      zone: 'cn-hangzhou-h',
      securityGroupIds: ['sg-a', 'sg-b'],
      primaryIp: '10.16.0.4',
      status: 'InUse',
      usage: 'Shared',
      ipv4CIDR: '10.16.0.0/16',
      createdAt: 1_700_000_000_123,
      ips: {
        '10.16.0.4': { ip: '10.16.0.4', primary: true, status: 'Valid', podId: 'bank/office-1', podUid: 'u1' },
        '10.16.0.5': { ip: '10.16.0.5', primary: false, status: 'Valid', releasedAt: 1_700_000_001_456, idleSince: 1_700_000_001_456 },
        '10.16.0.6': { ip: '10.16.0.6', primary: false, status: 'Deleting', idleSince: 1_700_000_000_999 },
      },
    },
    'eni-2': {
      id: 'eni-2',
      macAddress: '00:16:3e:00:00:02',
      vSwitchId: 'vsw-core',
      zone: 'cn-hangzhou-h',
      securityGroupIds: ['sg-core'],
      primaryIp: '10.100.0.7',
      status: 'Attaching',
      usage: 'Exclusive',
      createdAt: 1_700_000_002_000,
      ips: { '10.100.0.7': { ip: '10.100.0.7', primary: true, status: 'Valid', podId: 'bank/ledger-0', podUid: 'u2' } },
    },
  },
};

const shared: PodAllocation = {
  namespace: 'bank',
  name: 'office-1',
  podUid: 'u1',
  nodeName: node.name,
  instanceId: 'i-sim1',
  zone: 'cn-hangzhou-h',
  eniType: 'ENIIP',
  ip: '10.16.0.4',
  ipv4CIDR: '10.16.0.0/16',
  eni: { id: 'eni-1', macAddress: '00:16:3e:00:00:01', vSwitchId: 'vsw-pod', securityGroupIds: ['sg-a', 'sg-b'] },
  allocation: { type: 'Elastic' },
  phase: 'Bind',
  allocatedAt: 1_700_000_003_333,
};

const fixedUnbound: PodAllocation = {
  namespace: 'bank',
  name: 'ledger-0',
  podUid: 'u2',
  zone: 'cn-hangzhou-h',
  eniType: 'ENI',
  ip: '10.100.0.7',
  eni: { id: 'eni-2', macAddress: '00:16:3e:00:00:02', vSwitchId: 'vsw-core', securityGroupIds: ['sg-core'] },
  allocation: { type: 'Fixed', releaseStrategy: 'TTL', releaseAfterMs: 600_000 },
  podNetworking: 'ledger-fixed',
  phase: 'Unbind',
  allocatedAt: 1_700_000_004_000,
  podLastSeen: 1_700_000_005_500,
};

describe('IPAM records as Kubernetes objects', () => {
  it('a node record round-trips through NetworkNode, which the CRD schema accepts', () => {
    const obj = NetworkNode.parse(JSON.parse(JSON.stringify(toNetworkNode(node, 'cn-hangzhou'))));
    assert.equal(obj.metadata.name, node.name);
    assert.equal(obj.status?.networkInterfaces?.['eni-1']?.ipv4?.['10.16.0.4']?.podID, 'bank/office-1');
    assert.deepEqual(fromNetworkNode(obj), node);
  });

  it('pod records (shared, and an unbound fixed IP with its TTL) round-trip through PodENI', () => {
    for (const alloc of [shared, fixedUnbound]) {
      const obj = PodENI.parse(JSON.parse(JSON.stringify(toPodENI(alloc))));
      assert.deepEqual(fromPodENI(obj), alloc);
    }
    const fixed = toPodENI(fixedUnbound);
    assert.deepEqual(fixed.spec?.allocations?.[0]?.allocationType, { type: 'Fixed', releaseStrategy: 'TTL', releaseAfter: '10m0s' });
    assert.equal(fixed.status?.phase, 'Unbind');
  });

  it('a PodENI whose status write never happened reads as Bind (its node record was written first)', () => {
    const { status: _lost, ...withoutStatus } = toPodENI(shared);
    const back = fromPodENI(PodENI.parse(withoutStatus));
    assert.equal(back?.phase, 'Bind');
    assert.equal(back?.ip, shared.ip);
  });

  it('objects the IPAM did not write are not taken for records', () => {
    assert.equal(fromNetworkNode(NetworkNode.parse({ apiVersion: 'network.alibabacloud.com/v1beta1', kind: 'Node', metadata: { name: 'x' } })), undefined);
    assert.equal(fromPodENI(PodENI.parse({ apiVersion: 'network.alibabacloud.com/v1beta1', kind: 'PodENI', metadata: { name: 'p', namespace: 'n' }, spec: { allocations: [{ ipv4: '10.0.0.1' }] } })), undefined);
  });
});
