// The Helm chart against a real API server: every install shape passes the server's own schema
// validation (the local equivalent of kubeconform), `helm install` creates the expected objects,
// and the ServiceAccount can do what the operator needs and nothing it must not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installChartRbac } from '../harness/chart-rbac.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { chartDir, ciValues, helm, helmTemplate, parseManifests, repoRoot, type RenderOptions } from '../harness/helm.js';

const namespace = 'ack-system';
const release = 'ack';
const fullname = `${release}-ack-node-operator`;
const serviceAccount = `system:serviceaccount:${namespace}:${fullname}`;
const crdNames = [
  'ecsnodeclasses.karpenter.k8s.alibabacloud', 'nodeclaims.karpenter.sh', 'nodepools.karpenter.sh',
  'nodes.network.alibabacloud.com', 'podenis.network.alibabacloud.com', 'podnetworkings.network.alibabacloud.com',
];

let cp: ControlPlane;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await cp.kubectl(args, input === undefined ? {} : { input });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}:\n${result.stderr}`);
  return result.stdout;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

before(async () => {
  cp = await startControlPlane({ kwok: true });
  await kubectlOk(['create', 'namespace', namespace]);
  await kubectlOk(['create', 'namespace', 'monitoring-test']);
  // The operator's CRDs (from the chart) and prometheus-operator's, so custom objects validate.
  await kubectlOk(['apply', '--server-side', '-f', join(chartDir, 'crds')]);
  await kubectlOk(['apply', '--server-side', '-f', join(repoRoot, 'test/fixtures/prometheus-operator')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
}, { timeout: 180_000 });

after(async () => {
  await cp?.stop();
});

async function dryRun(opts: RenderOptions): Promise<{ code: number; stderr: string; stdout: string; objects: number }> {
  const rendered = await helmTemplate({ namespace, ...opts });
  assert.equal(rendered.code, 0, rendered.stderr);
  const result = await cp.kubectl(['apply', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'], { input: rendered.stdout });
  return { ...result, objects: parseManifests(rendered.stdout).length };
}

describe('rendered manifests pass the API server schema (kubectl apply --dry-run=server --validate=strict)', () => {
  const shapes: [string, RenderOptions][] = [
    ['minimal values', { values: [ciValues('default')] }],
    ['monitoring on, existing Secret', { values: [ciValues('monitoring')], apiVersions: ['monitoring.coreos.com/v1'] }],
    ['RRSA through the webhook', { values: [ciValues('rrsa')] }],
    ['RRSA by hand', { values: [ciValues('rrsa-manual')] }],
    ['embedded cloud, one replica, no PDB', { values: [ciValues('default')], set: ['settings.cloudEndpoint=embedded', 'replicas=1', 'podDisruptionBudget.enabled=false'] }],
  ];
  for (const [name, opts] of shapes) {
    it(name, async () => {
      const result = await dryRun(opts);
      assert.equal(result.code, 0, result.stderr);
      const applied = result.stdout.split('\n').filter((l) => l.includes('(server dry run)'));
      assert.ok(result.objects >= 7);
      assert.equal(applied.length, result.objects, `every object was checked:\n${result.stdout}`);
      if (opts.apiVersions) {
        assert.match(result.stdout, /servicemonitor\.monitoring\.coreos\.com\/ack-ack-node-operator created \(server dry run\)/);
        assert.match(result.stdout, /prometheusrule\.monitoring\.coreos\.com\/ack-ack-node-operator created \(server dry run\)/);
      }
    });
  }

  it('would catch a field the schema does not know', async () => {
    const rendered = await helmTemplate({ namespace, values: [ciValues('monitoring')], apiVersions: ['monitoring.coreos.com/v1'] });
    const broken = rendered.stdout.replace('scrapeTimeout:', 'scrapeTimeoutt:');
    assert.notEqual(broken, rendered.stdout);
    const result = await cp.kubectl(['apply', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'], { input: broken });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /unknown field "spec\.endpoints\[0\]\.scrapeTimeoutt"/);
  });
});

describe('helm install', () => {
  let installOutput = '';
  before(async () => {
    const result = await helm(['install', release, chartDir, '--namespace', namespace, '--values', ciValues('default')], { kubeconfig: cp.kubeconfigPath });
    assert.equal(result.code, 0, result.stderr);
    installOutput = result.stdout;
  });

  it('prints how to find the leader, and warns that an AccessKey in values lands in the release history', () => {
    assert.match(installOutput, new RegExp(`get lease ${fullname} -o jsonpath`));
    assert.match(installOutput, /NOTE: the AccessKey was passed as a chart value/);
  });

  it('creates the operator, its identity, RBAC, Service, PDB and Secret, and keeps the CRDs', async () => {
    await kubectlOk(['get', '-n', namespace,
      `deployment/${fullname}`, `serviceaccount/${fullname}`, `service/${fullname}-metrics`, `poddisruptionbudget/${fullname}`,
      `secret/${fullname}-credentials`, `role/${fullname}-leader-election`, `rolebinding/${fullname}-leader-election`]);
    await kubectlOk(['get', `clusterrole/${fullname}`, `clusterrolebinding/${fullname}`]);
    const crds = (await kubectlOk(['get', 'crd', '-o', 'name'])).split('\n').map((l) => l.replace('customresourcedefinition.apiextensions.k8s.io/', ''));
    for (const crd of crdNames) assert.ok(crds.includes(crd), crd);
    const status = JSON.parse((await helm(['status', release, '-n', namespace, '-o', 'json'], { kubeconfig: cp.kubeconfigPath })).stdout) as { info: { status: string } };
    assert.equal(status.info.status, 'deployed');
  });

  it('gets both replicas admitted as pods under the operator ServiceAccount (readiness needs the image, which kwok does not pull)', async () => {
    const pods = await eventually('two operator pods', async () => {
      const list = JSON.parse(await kubectlOk(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json'])) as {
        items: { spec: { serviceAccountName: string; securityContext: { runAsNonRoot: boolean } } }[];
      };
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of pods) {
      assert.equal(pod.spec.serviceAccountName, fullname);
      assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    }
  });

  it('detects prometheus-operator in the cluster and installs the ServiceMonitor, PrometheusRule and dashboard', async () => {
    const result = await helm(['install', 'mon', chartDir, '--namespace', 'monitoring-test', '--values', ciValues('monitoring')], { kubeconfig: cp.kubeconfigPath });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /WARNING|NOTE: the AccessKey/);
    await kubectlOk(['get', '-n', 'monitoring-test', 'servicemonitor/mon-ack-node-operator', 'prometheusrule/mon-ack-node-operator', 'configmap/mon-ack-node-operator-dashboard']);
  });

  it('uninstall removes the release but leaves the CRDs (and so every NodePool) in place', async () => {
    const result = await helm(['uninstall', 'mon', '--namespace', 'monitoring-test', '--wait', '--timeout', '60s'], { kubeconfig: cp.kubeconfigPath });
    assert.equal(result.code, 0, result.stderr);
    const gone = await cp.kubectl(['get', 'clusterrole/mon-ack-node-operator']);
    assert.match(gone.stderr, /NotFound/);
    await kubectlOk(['get', 'crd', ...crdNames]);
  });
});

describe('the operator ServiceAccount (RBAC as installed)', () => {
  const canI = async (args: string[]): Promise<boolean> => {
    const result = await cp.kubectl(['auth', 'can-i', ...args, `--as=${serviceAccount}`]);
    assert.match(result.stdout.trim(), /^(yes|no)$/, result.stderr);
    return result.stdout.trim() === 'yes';
  };

  const allowed: string[][] = [
    ['get', 'pods', '-A'], ['list', 'pods', '-A'], ['watch', 'pods', '-A'], ['patch', 'pods', '-n', 'default'], ['update', 'pods', '-n', 'default'],
    ['create', 'pods', '--subresource=eviction', '-n', 'default'],
    // As upstream Karpenter: when a node's terminationGracePeriod ends, its remaining pods are deleted.
    ['delete', 'pods', '-n', 'default'],
    ['get', 'nodes'], ['list', 'nodes'], ['watch', 'nodes'], ['patch', 'nodes'], ['update', 'nodes'], ['delete', 'nodes'],
    ['patch', 'nodes', '--subresource=status'],
    ['list', 'namespaces'], ['watch', 'namespaces'], ['list', 'persistentvolumeclaims', '-A'], ['watch', 'persistentvolumeclaims', '-A'],
    ['list', 'daemonsets.apps', '-A'], ['watch', 'daemonsets.apps', '-A'],
    ['list', 'poddisruptionbudgets.policy', '-A'], ['watch', 'poddisruptionbudgets.policy', '-A'],
    ['get', 'statefulsets.apps', '-n', 'default'], ['list', 'statefulsets.apps', '-A'],
    ['create', 'events', '-n', 'default'], ['patch', 'events', '-n', 'default'], ['create', 'events.events.k8s.io', '-n', 'default'],
    ['list', 'nodepools.karpenter.sh'], ['patch', 'nodepools.karpenter.sh'], ['patch', 'nodepools.karpenter.sh', '--subresource=status'],
    ['create', 'nodeclaims.karpenter.sh'], ['delete', 'nodeclaims.karpenter.sh'], ['update', 'nodeclaims.karpenter.sh', '--subresource=status'],
    ['update', 'nodeclaims.karpenter.sh', '--subresource=finalizers'],
    ['watch', 'ecsnodeclasses.karpenter.k8s.alibabacloud'], ['patch', 'ecsnodeclasses.karpenter.k8s.alibabacloud', '--subresource=status'],
    ['list', 'podnetworkings.network.alibabacloud.com'], ['patch', 'podnetworkings.network.alibabacloud.com', '--subresource=status'],
    ['create', 'podenis.network.alibabacloud.com', '-n', 'default'], ['delete', 'podenis.network.alibabacloud.com', '-n', 'default'],
    ['create', 'nodes.network.alibabacloud.com'], ['patch', 'nodes.network.alibabacloud.com', '--subresource=status'],
    ['create', 'leases.coordination.k8s.io', '-n', namespace],
    ['get', `leases.coordination.k8s.io/${fullname}`, '-n', namespace], ['update', `leases.coordination.k8s.io/${fullname}`, '-n', namespace],
    ['watch', `leases.coordination.k8s.io/${fullname}`, '-n', namespace],
  ];
  const denied: string[][] = [
    ['list', 'secrets', '-A'], ['get', 'secrets', '-n', namespace], ['list', 'configmaps', '-A'],
    ['delete', 'namespaces'], ['create', 'namespaces'], ['delete', 'persistentvolumeclaims', '-n', 'default'],
    ['create', 'nodes'], ['create', 'pods', '-n', 'default'],
    ['create', 'nodepools.karpenter.sh'], ['delete', 'nodepools.karpenter.sh'], ['delete', 'ecsnodeclasses.karpenter.k8s.alibabacloud'],
    ['delete', 'podnetworkings.network.alibabacloud.com'],
    ['update', 'deployments.apps', '-n', namespace], ['delete', 'daemonsets.apps', '-n', 'kube-system'],
    ['create', 'leases.coordination.k8s.io', '-n', 'kube-system'],
    ['update', 'leases.coordination.k8s.io/kube-scheduler', '-n', namespace], ['watch', 'leases.coordination.k8s.io', '-n', namespace],
    ['create', 'clusterrolebindings.rbac.authorization.k8s.io'], ['escalate', 'clusterroles.rbac.authorization.k8s.io'],
    ['impersonate', 'serviceaccounts', '-A'], ['create', 'serviceaccounts/token', '-n', namespace],
  ];

  for (const args of allowed) it(`may ${args.join(' ')}`, async () => assert.equal(await canI(args), true));
  for (const args of denied) it(`may not ${args.join(' ')}`, async () => assert.equal(await canI(args), false));

  it("authenticates with the account's own token and is refused Secrets", async () => {
    const token = (await kubectlOk(['create', 'token', fullname, '-n', namespace, '--duration=10m'])).trim();
    const kubeconfig = await cp.kubeconfigForToken(token);
    const claims = await cp.kubectl(['get', 'nodeclaims.karpenter.sh'], { kubeconfig });
    assert.equal(claims.code, 0, claims.stderr);
    const secrets = await cp.kubectl(['get', 'secrets', '-A'], { kubeconfig });
    assert.notEqual(secrets.code, 0);
    assert.match(secrets.stderr, /forbidden: User "system:serviceaccount:ack-system:ack-ack-node-operator" cannot list resource "secrets"/);
  });
});

describe('installChartRbac (the identity e2e tests run the operator with)', () => {
  it('applies only the RBAC objects and returns a token kubeconfig bound by them', async () => {
    const identity = await installChartRbac(cp, { namespace: 'e2e-rbac', release: 'e2e', embeddedCloud: true });
    assert.equal(identity.serviceAccountName, 'e2e-ack-node-operator');
    const deployments = await kubectlOk(['get', 'deployments', '-n', 'e2e-rbac', '-o', 'name']);
    assert.equal(deployments.trim(), '', 'no operator Deployment is installed');
    const as = (args: string[]) => cp.kubectl(args, { kubeconfig: identity.kubeconfigPath });
    const node = JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'rbac-probe' } });
    // The embedded simulator registers Nodes with the operator's identity.
    const dryRunNode = await cp.kubectl(['create', '--dry-run=server', '-f', '-'], { kubeconfig: identity.kubeconfigPath, input: node });
    assert.equal(dryRunNode.code, 0, dryRunNode.stderr);
    const lease = await as(['get', 'lease', identity.leaseName, '-n', 'e2e-rbac']);
    assert.match(lease.stderr, /NotFound/, 'reading its own Lease is allowed (it just does not exist yet)');
    const other = await as(['get', 'lease', 'someone-else', '-n', 'e2e-rbac']);
    assert.match(other.stderr, /forbidden/);
  });
});
