// The CRDs against a real API server: upstream documentation examples apply unchanged and read
// back with upstream's defaults (and with exactly the defaults zod fills in), every object in the
// invalid corpus is refused by `kubectl apply` with its readable message, and `kubectl get` shows
// useful columns.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { schemaFor } from '../../src/apis/index.js';
import { containsSubset, expectedDefaults, invalidCases, upstreamExamples } from '../fixtures/fixtures.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';

const crdDir = join(import.meta.dirname, '..', '..', 'crds');

/** "<plural>.<group>" for kubectl, from an object's apiVersion and kind. */
function resourceOf(object: { apiVersion: string; kind: string }): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const plural = object.kind === 'ECSNodeClass' ? 'ecsnodeclasses' : `${object.kind.toLowerCase()}s`;
  return group ? `${plural}.${group}` : plural;
}

const transitionTime = '2026-01-01T00:00:00Z';
const readyCondition = { type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: transitionTime };

describe('CRDs on a real API server', { timeout: 600_000 }, () => {
  let cp: ControlPlane;

  async function kubectl(args: string[], input?: string) {
    return cp.kubectl(args, input === undefined ? {} : { input });
  }
  async function mustKubectl(args: string[], input?: string): Promise<string> {
    const result = await kubectl(args, input);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  before(async () => {
    cp = await startControlPlane({ kwok: false });
    await mustKubectl(['apply', '-f', crdDir]);
    await mustKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  });
  after(async () => {
    await cp?.stop();
  });

  it('installs every CRD as structural, with printer columns', async () => {
    const names = (await mustKubectl(['get', 'crd', '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(names, [
      'customresourcedefinition.apiextensions.k8s.io/ecsnodeclasses.karpenter.k8s.alibabacloud',
      'customresourcedefinition.apiextensions.k8s.io/nodeclaims.karpenter.sh',
      'customresourcedefinition.apiextensions.k8s.io/nodepools.karpenter.sh',
      'customresourcedefinition.apiextensions.k8s.io/nodes.network.alibabacloud.com',
      'customresourcedefinition.apiextensions.k8s.io/podenis.network.alibabacloud.com',
      'customresourcedefinition.apiextensions.k8s.io/podnetworkings.network.alibabacloud.com',
    ]);
    const conditions = JSON.parse(await mustKubectl(['get', 'crd', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string }; status: { conditions: Array<{ type: string; status: string }> } }>;
    };
    for (const crd of conditions.items) {
      const nonStructural = crd.status.conditions.find((c) => c.type === 'NonStructuralSchema');
      assert.equal(nonStructural, undefined, `${crd.metadata.name} is not structural`);
    }
  });

  it('applies the upstream documentation examples unchanged and reads back upstream\'s defaults', async () => {
    for (const example of upstreamExamples()) {
      await mustKubectl(['apply', '-f', example.path]);
      for (const object of example.objects) {
        const schema = schemaFor(object.apiVersion, object.kind);
        if (!schema) continue;
        const key = `${object.kind}/${object.metadata.name}`;
        const stored = JSON.parse(await mustKubectl(['get', resourceOf(object), object.metadata.name, '-o', 'json'])) as { spec: unknown };
        assert.deepEqual(containsSubset(stored.spec, expectedDefaults[key]), [], `${example.file}: ${key}`);
        // One source of truth: zod's defaults are the API server's defaults, field for field.
        const parsed = schema.parse(object) as { spec: unknown };
        assert.deepEqual(parsed.spec, stored.spec, `${example.file}: ${key} defaults differ between zod and the API server`);
      }
    }
  });

  it('refuses every object of the invalid corpus at kubectl apply, with its readable message', async () => {
    const failures: string[] = [];
    for (const invalid of invalidCases()) {
      const result = await kubectl(['apply', '-f', invalid.path]);
      const output = `${result.stdout}${result.stderr}`;
      if (result.code === 0) failures.push(`${invalid.file}: accepted\n${output}`);
      else if (!output.includes(invalid.expect)) failures.push(`${invalid.file}: expected "${invalid.expect}" in:\n${output}`);
    }
    assert.deepEqual(failures, []);
  });

  it('refuses changes to what upstream makes immutable', async () => {
    const nodeClaim = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: 'immutable' },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
        requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['ecsnodepool'] }],
      },
    };
    await mustKubectl(['apply', '-f', '-'], JSON.stringify(nodeClaim));
    const changed = { ...nodeClaim, spec: { ...nodeClaim.spec, expireAfter: '24h' } };
    const result = await kubectl(['apply', '-f', '-'], JSON.stringify(changed));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec is immutable/);

    const group = await kubectl(['patch', 'nodepool', 'ecsnodepool', '--type=merge', '-p',
      JSON.stringify({ spec: { template: { spec: { nodeClassRef: { group: 'karpenter.alibabacloud.com' } } } } })]);
    assert.notEqual(group.code, 0);
    assert.match(group.stderr, /nodeClassRef\.group is immutable/);
    await mustKubectl(['delete', 'nodeclaim', 'immutable']);
  });

  it('shows useful columns in kubectl get', async () => {
    await mustKubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: {
        name: 'ecsnodepool-abcde',
        labels: {
          'karpenter.sh/nodepool': 'ecsnodepool',
          'node.kubernetes.io/instance-type': 'ecs.g7.xlarge',
          'karpenter.sh/capacity-type': 'spot',
          'topology.kubernetes.io/zone': 'cn-hangzhou-i',
        },
      },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.alibabacloud', kind: 'ECSNodeClass', name: 'defaultnodeclass' },
        requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['ecsnodepool'] }],
      },
    }));
    const patchStatus = (resource: string, name: string, status: unknown) =>
      mustKubectl(['patch', resource, name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    await patchStatus('nodeclaim', 'ecsnodepool-abcde', {
      nodeName: 'cn-hangzhou.192.168.0.10',
      providerID: 'cn-hangzhou.i-bp1example',
      conditions: [readyCondition],
    });
    await patchStatus('nodepool', 'ecsnodepool', { resources: { cpu: '4', memory: '16Gi', nodes: '1' }, conditions: [readyCondition] });
    await patchStatus('ecsnodeclass', 'defaultnodeclass', {
      vSwitches: [{ id: 'vsw-bp1core', zoneID: 'cn-hangzhou-i', availableIPAddressCount: 250 }],
      conditions: [readyCondition],
    });
    await patchStatus('podnetworking', 'stateless', { status: 'Ready', vSwitches: [{ id: 'vsw-bp1core', zone: 'cn-hangzhou-i' }], updateAt: transitionTime });

    const table = await mustKubectl(['get', 'nodepools,nodeclaims,ecsnodeclasses,podnetworkings']);
    const lines = table.split('\n');
    const headerOf = (prefix: string) => {
      const row = lines.findIndex((line) => line.includes(prefix));
      assert.ok(row > 0, `no ${prefix} row in:\n${table}`);
      return { header: (lines.slice(0, row).reverse().find((line) => line.startsWith('NAME')) ?? '').split(/\s+/), row: lines[row]!.split(/\s+/) };
    };
    const nodePool = headerOf('nodepool.karpenter.sh/ecsnodepool');
    assert.deepEqual(nodePool.header, ['NAME', 'NODECLASS', 'NODES', 'READY', 'AGE']);
    assert.deepEqual(nodePool.row.slice(0, 4), ['nodepool.karpenter.sh/ecsnodepool', 'defaultnodeclass', '1', 'True']);
    const nodeClaim = headerOf('nodeclaim.karpenter.sh/ecsnodepool-abcde');
    assert.deepEqual(nodeClaim.header, ['NAME', 'TYPE', 'CAPACITY', 'ZONE', 'NODE', 'READY', 'AGE', 'PROVIDERID']);
    assert.deepEqual(
      [...nodeClaim.row.slice(0, 6), nodeClaim.row[7]],
      ['nodeclaim.karpenter.sh/ecsnodepool-abcde', 'ecs.g7.xlarge', 'spot', 'cn-hangzhou-i', 'cn-hangzhou.192.168.0.10', 'True', 'cn-hangzhou.i-bp1example'],
    );
    const nodeClass = headerOf('ecsnodeclass.karpenter.k8s.alibabacloud/defaultnodeclass');
    assert.deepEqual(nodeClass.header, ['NAME', 'READY', 'AGE']);
    assert.equal(nodeClass.row[1], 'True');
    const podNetworking = headerOf('podnetworking.network.alibabacloud.com/stateless');
    assert.deepEqual(podNetworking.header, ['NAME', 'STATUS', 'ENITYPE', 'ALLOCATION', 'AGE']);
    assert.deepEqual(podNetworking.row.slice(1, 4), ['Ready', 'Default', 'Elastic']);

    const wide = await mustKubectl(['get', 'nodepool', 'ecsnodepool', '-o', 'wide']);
    assert.match(wide.split('\n')[0] ?? '', /NODECLASS\s+NODES\s+READY\s+AGE\s+WEIGHT\s+CPU\s+MEMORY/);
    assert.match(wide.split('\n')[1] ?? '', /\s4\s+16Gi\s*$/);
  });
});
