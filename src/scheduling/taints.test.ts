import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { untoleratedTaint } from './taints.js';
import { HostPortUsage, hostPortsOf } from './host-ports.js';
import { compileLabelSelector } from './label-selector.js';

describe('taints', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
  it('Equal needs the value, Exists only the key, an empty key with Exists everything', () => {
    assert.equal(untoleratedTaint([taint], [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }]), undefined);
    assert.equal(untoleratedTaint([taint], [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }]), taint);
    assert.equal(untoleratedTaint([taint], [{ key: 'dedicated', operator: 'Exists' }]), undefined);
    assert.equal(untoleratedTaint([taint], [{ operator: 'Exists' }]), undefined);
    assert.equal(untoleratedTaint([taint], [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }]), taint);
  });
  it('PreferNoSchedule must be tolerated too until relaxed', () => {
    const soft = { key: 'spot', effect: 'PreferNoSchedule' as const };
    assert.equal(untoleratedTaint([soft], []), soft);
    assert.equal(untoleratedTaint([soft], [{ operator: 'Exists', effect: 'PreferNoSchedule' }]), undefined);
  });
});

describe('host ports', () => {
  it('conflict on the same protocol and port unless both bind different specific IPs', () => {
    const usage = new HostPortUsage();
    usage.add([{ ip: '10.0.0.1', protocol: 'TCP', port: 80 }]);
    assert.ok(usage.conflict([{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]));
    assert.equal(usage.conflict([{ ip: '10.0.0.2', protocol: 'TCP', port: 80 }]), undefined);
    assert.equal(usage.conflict([{ ip: '0.0.0.0', protocol: 'UDP', port: 80 }]), undefined);
  });
  it('host-network pods bind their container ports', () => {
    const ports = hostPortsOf({ uid: 'u', name: 'p', namespace: 'n', hostNetwork: true, containers: [{ ports: [{ containerPort: 9100 }] }] });
    assert.deepEqual(ports, [{ ip: '0.0.0.0', protocol: 'TCP', port: 9100 }]);
  });
});

describe('label selectors', () => {
  it('match labels and expressions; absent selects nothing, empty everything', () => {
    const m = compileLabelSelector({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
    assert.equal(m({ app: 'a' }), true);
    assert.equal(m({ app: 'a', tier: 'db' }), false);
    assert.equal(m({ app: 'b' }), false);
    assert.equal(compileLabelSelector(undefined)({ app: 'a' }), false);
    assert.equal(compileLabelSelector({})({}), true);
  });
});
