// The Helm chart without a cluster: lint, what each install shape renders, the values schema's
// refusals, RBAC hygiene, the CRD copy and the metrics contract. Rendering against a real API
// server and installing live in test/integration/chart.test.ts.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseOptions } from '../../src/config/options.js';
import {
  chartDir, ciValues, findManifest, helm, helmTemplate, renderChart, repoRoot, type Manifest,
} from '../harness/helm.js';

const monitoringAPI = ['monitoring.coreos.com/v1'];

interface Container {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  priorityClassName?: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string; items: { key: string; path: string }[] }; projected?: unknown }[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string }[] }[] } } };
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string; labelSelector: { matchLabels: Record<string, string> } }[];
}
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }

const podSpec = (m: Manifest): PodSpec => (m as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const operatorContainer = (m: Manifest): Container => {
  const c = podSpec(m).containers.find((x) => x.name === 'operator');
  assert.ok(c, 'the Deployment has an operator container');
  return c;
};
const rulesOf = (m: Manifest): Rule[] => (m as unknown as { rules: Rule[] }).rules;
const kinds = (ms: Manifest[]): string[] => ms.map((m) => m.kind).sort();

describe('helm lint --strict', () => {
  for (const shape of ['default', 'monitoring', 'rrsa', 'rrsa-manual']) {
    it(`is clean for ci/${shape}-values.yaml`, async () => {
      const result = await helm(['lint', '--strict', chartDir, '--values', ciValues(shape)]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
    });
  }
});

describe('helm template with the minimal values', () => {
  it('renders the operator, its identity, RBAC, Services, PDB, the AccessKey Secret and the webhook, and nothing for monitoring', async () => {
    const ms = await renderChart({ values: [ciValues('default')] });
    assert.deepEqual(kinds(ms), [
      'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'MutatingWebhookConfiguration', 'PodDisruptionBudget', 'Role', 'RoleBinding',
      'Secret', 'Secret', 'Service', 'Service', 'ServiceAccount',
    ]);
  });

  it('runs two hardened, leader-elected replicas off the nodes the operator manages', async () => {
    const ms = await renderChart({ values: [ciValues('default')] });
    const deployment = findManifest(ms, 'Deployment');
    const spec = podSpec(deployment);
    const container = operatorContainer(deployment);
    assert.equal((deployment as unknown as { spec: { replicas: number } }).spec.replicas, 2);
    assert.deepEqual(
      { runAsNonRoot: spec.securityContext.runAsNonRoot, runAsUser: spec.securityContext.runAsUser, seccomp: spec.securityContext.seccompProfile },
      { runAsNonRoot: true, runAsUser: 65532, seccomp: { type: 'RuntimeDefault' } },
    );
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    assert.ok(container.resources.requests?.cpu && container.resources.requests.memory, 'requests are set');
    assert.ok(container.resources.limits?.memory, 'a memory limit is set');
    assert.equal(spec.priorityClassName, 'system-cluster-critical');
    assert.ok(container.args.includes('--leader-elect=true'));
    assert.ok(container.args.includes('--cluster-id=c0123456789abcdef'));
    assert.ok(container.args.includes('--region=cn-hangzhou'));
    const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    assert.ok(terms.length > 0 && terms.every((t) => t.matchExpressions.some((e) => e.key === 'karpenter.sh/nodepool' && e.operator === 'DoesNotExist')),
      'every node selector term excludes karpenter.sh/nodepool nodes');
    const spread = spec.topologySpreadConstraints ?? [];
    assert.deepEqual(spread.map((s) => s.topologyKey).sort(), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const selector = (deployment as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
    for (const s of spread) assert.deepEqual(s.labelSelector.matchLabels, selector);
  });

  it('mounts the chart-made AccessKey Secret as files and never puts the key in args or env', async () => {
    const ms = await renderChart({ values: [ciValues('default')] });
    const secret = findManifest(ms, 'Secret', '-credentials') as unknown as { metadata: { name: string }; data: Record<string, string> };
    assert.equal(Buffer.from(secret.data['access-key-id'] ?? '', 'base64').toString(), 'LTAI-test-key-id');
    const deployment = findManifest(ms, 'Deployment');
    const volume = podSpec(deployment).volumes.find((v) => v.secret?.secretName === secret.metadata.name);
    assert.ok(volume, 'the AccessKey Secret is a volume');
    const container = operatorContainer(deployment);
    const mount = container.volumeMounts.find((m) => m.name === volume?.name);
    assert.equal(mount?.readOnly, true);
    assert.ok(container.args.includes(`--credentials-dir=${mount?.mountPath}`));
    const everything = JSON.stringify([container.args, container.env]);
    assert.doesNotMatch(everything, /LTAI-test-key-id|test-key-secret/);
  });
});

describe('the pod admission webhook', () => {
  interface Webhook {
    failurePolicy: string;
    clientConfig: { caBundle?: string; service: { name: string; namespace: string; path: string; port: number } };
    namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    objectSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    rules: { operations: string[]; resources: string[] }[];
  }
  const webhookOf = (ms: Manifest[]): Webhook => (findManifest(ms, 'MutatingWebhookConfiguration') as unknown as { webhooks: Webhook[] }).webhooks[0]!;

  it('serves pod CREATE from every replica over the Service, with a certificate the CA bundle vouches for', async () => {
    const ms = await renderChart({ values: [ciValues('default')], namespace: 'ack-system' });
    const webhook = webhookOf(ms);
    assert.deepEqual(webhook.rules.map((r) => [r.operations, r.resources]), [[['CREATE'], ['pods']]]);
    assert.equal(webhook.failurePolicy, 'Fail');
    const service = findManifest(ms, 'Service', '-webhook');
    assert.deepEqual(webhook.clientConfig.service, { name: service.metadata.name, namespace: 'ack-system', path: '/mutate-pod', port: 443 });
    const tls = findManifest(ms, 'Secret', '-webhook-tls') as unknown as { metadata: { name: string }; type: string; data: Record<string, string> };
    assert.equal(tls.type, 'kubernetes.io/tls');
    assert.equal(webhook.clientConfig.caBundle, tls.data['ca.crt']);
    const pem = (k: string) => Buffer.from(tls.data[k] ?? '', 'base64').toString();
    const cert = new X509Certificate(pem('tls.crt'));
    assert.ok(cert.verify(new X509Certificate(pem('ca.crt')).publicKey), 'the serving certificate is signed by the CA in the bundle');
    assert.match(cert.subjectAltName ?? '', new RegExp(`DNS:${service.metadata.name}\\.ack-system\\.svc\\b`));
    assert.ok(cert.checkPrivateKey(createPrivateKey(pem('tls.key'))));
    const deployment = findManifest(ms, 'Deployment');
    const container = operatorContainer(deployment);
    const volume = podSpec(deployment).volumes.find((v) => v.secret?.secretName === tls.metadata.name);
    const mount = container.volumeMounts.find((m) => m.name === volume?.name);
    assert.ok(mount?.readOnly);
    assert.ok(container.args.includes(`--webhook-cert-dir=${mount?.mountPath}`));
    assert.ok(container.args.includes('--webhook-port=9443'));
    assert.ok(parseOptions(container.args, {}).help === false);
  });

  it('never sends the operator\'s own namespace, kube-system, opted-out namespaces or ignored pods', async () => {
    const webhook = webhookOf(await renderChart({ values: [ciValues('default')], namespace: 'ack-system', set: ['webhook.excludeNamespaces={batch}'] }));
    const names = webhook.namespaceSelector.matchExpressions.find((e) => e.key === 'kubernetes.io/metadata.name');
    assert.deepEqual(names, { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['ack-system', 'kube-system', 'batch'] });
    assert.deepEqual(webhook.namespaceSelector.matchExpressions.find((e) => e.key === 'k8s.aliyun.com/pod-eni'), { key: 'k8s.aliyun.com/pod-eni', operator: 'NotIn', values: ['false'] });
    assert.deepEqual(webhook.objectSelector.matchExpressions, [{ key: 'k8s.aliyun.com/ignore-by-terway', operator: 'NotIn', values: ['true'] }]);
  });

  it('with cert-manager: a Certificate for the Service, the CA injected, no chart-made key', async () => {
    const ms = await renderChart({ values: [ciValues('default')], namespace: 'ack-system', set: ['webhook.certManager.enabled=true'] });
    const certificate = findManifest(ms, 'Certificate') as unknown as { spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string } } };
    const config = findManifest(ms, 'MutatingWebhookConfiguration');
    assert.equal(config.metadata.annotations?.['cert-manager.io/inject-ca-from'], `ack-system/${(certificate as unknown as Manifest).metadata.name}`);
    assert.equal(webhookOf(ms).clientConfig.caBundle, undefined);
    assert.ok(!ms.some((m) => m.kind === 'Secret' && m.metadata.name.endsWith('-webhook-tls')));
    assert.ok(certificate.spec.dnsNames.includes(`${findManifest(ms, 'Service', '-webhook').metadata.name}.ack-system.svc`));
    assert.equal(findManifest(ms, 'Issuer').metadata.name, certificate.spec.issuerRef.name);
    const withIssuer = await renderChart({ values: [ciValues('default')], set: ['webhook.certManager.enabled=true', 'webhook.certManager.issuerRef.name=bank-ca', 'webhook.certManager.issuerRef.kind=ClusterIssuer'] });
    assert.ok(!withIssuer.some((m) => m.kind === 'Issuer'));
    assert.deepEqual((findManifest(withIssuer, 'Certificate') as unknown as { spec: { issuerRef: unknown } }).spec.issuerRef, { name: 'bank-ca', kind: 'ClusterIssuer' });
  });

  it('switched off: no webhook objects and no webhook flags', async () => {
    const ms = await renderChart({ values: [ciValues('default')], set: ['webhook.enabled=false'] });
    assert.ok(!ms.some((m) => m.kind === 'MutatingWebhookConfiguration' || m.metadata.name.includes('-webhook')));
    assert.ok(!operatorContainer(findManifest(ms, 'Deployment')).args.some((a) => a.startsWith('--webhook')));
  });
});

describe('helm template with the other install shapes', () => {
  it('uses an existing Secret without creating one, mapping its keys to the expected files', async () => {
    const ms = await renderChart({
      values: [ciValues('default')],
      set: ['credentials.existingSecret=bank-ak', 'credentials.secretKeys.accessKeyId=id', 'credentials.secretKeys.accessKeySecret=secret'],
    });
    assert.ok(!ms.some((m) => m.kind === 'Secret' && m.metadata.name.endsWith('-credentials')));
    const volume = podSpec(findManifest(ms, 'Deployment')).volumes.find((v) => v.name === 'credentials');
    assert.deepEqual(volume?.secret, {
      secretName: 'bank-ak', defaultMode: 0o440,
      items: [{ key: 'id', path: 'access-key-id' }, { key: 'secret', path: 'access-key-secret' }],
    });
  });

  it('RRSA through the ACK webhook annotates the ServiceAccount and mounts no AccessKey', async () => {
    const ms = await renderChart({ values: [ciValues('rrsa')] });
    const sa = findManifest(ms, 'ServiceAccount');
    assert.equal(sa.metadata.annotations?.['pod-identity.alibabacloud.com/role-name'], 'ack-node-operator');
    assert.ok(!ms.some((m) => m.kind === 'Secret' && m.metadata.name.endsWith('-credentials')));
    const deployment = findManifest(ms, 'Deployment');
    assert.ok(!podSpec(deployment).volumes.some((v) => v.secret && v.name !== 'webhook-tls'), 'no AccessKey volume');
    assert.ok(!operatorContainer(deployment).args.some((a) => a.startsWith('--credentials-dir')));
  });

  it('manual RRSA projects an STS-audience token and points the credentials chain at it', async () => {
    const ms = await renderChart({ values: [ciValues('rrsa-manual')] });
    const deployment = findManifest(ms, 'Deployment');
    const env = Object.fromEntries((operatorContainer(deployment).env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.ALIBABA_CLOUD_ROLE_ARN, 'acs:ram::1234567890123456:role/ack-node-operator');
    assert.equal(env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN, 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0123456789abcdef');
    assert.equal(env.ALIBABA_CLOUD_STS_REGION, 'cn-beijing');
    const tokenFile = env.ALIBABA_CLOUD_OIDC_TOKEN_FILE ?? '';
    const mount = operatorContainer(deployment).volumeMounts.find((m) => tokenFile.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `a volume is mounted at the token file's directory (${tokenFile})`);
    const volume = podSpec(deployment).volumes.find((v) => v.name === mount.name);
    assert.match(JSON.stringify(volume?.projected), /"audience":"sts\.aliyuncs\.com"/);
  });

  it('renders ServiceMonitor and PrometheusRule only where monitoring.coreos.com/v1 is served', async () => {
    const without = await renderChart({ values: [ciValues('monitoring')] });
    assert.ok(!without.some((m) => m.kind === 'ServiceMonitor' || m.kind === 'PrometheusRule'));
    const withAPI = await renderChart({ values: [ciValues('monitoring')], apiVersions: monitoringAPI });
    const sm = findManifest(withAPI, 'ServiceMonitor') as unknown as { metadata: { labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
    const service = findManifest(withAPI, 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } };
    assert.equal(sm.metadata.labels.release, 'kube-prometheus-stack');
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(service.metadata.labels[k], v, `the ServiceMonitor selects the Service by ${k}`);
    assert.ok(service.spec.ports.some((p) => p.name === sm.spec.endpoints[0]?.port));
    findManifest(withAPI, 'PrometheusRule');
  });

  it('ships the Grafana dashboard with the sidecar label and panels for each concern', async () => {
    const ms = await renderChart({ values: [ciValues('monitoring')] });
    const cm = findManifest(ms, 'ConfigMap', '-dashboard') as unknown as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    const dashboard = JSON.parse(cm.data['ack-node-operator.json'] ?? '') as { panels: { title: string }[] };
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
    for (const topic of ['launched / terminated', 'pods pending', 'scheduling', 'cost per hour', 'ip pool total', 'ip pool idle', 'openapi latency', 'openapi calls and errors']) {
      assert.ok(titles.includes(topic), `a panel about "${topic}"`);
    }
  });

  it('alerts cover Terway-style and Karpenter-style failures and can be switched off one by one', async () => {
    const rule = findManifest(await renderChart({ values: [ciValues('monitoring')], apiVersions: monitoringAPI }), 'PrometheusRule');
    const alerts = alertsOf(rule);
    for (const name of [
      'ACKNodeOperatorDown', 'ACKNodeOperatorLeaderMissing', 'ACKNodeOperatorPodsUnschedulable', 'ACKNodeOperatorNodeClaimLaunchFailures',
      'ACKNodeOperatorNodeClaimNotRegistered', 'ACKNodeOperatorIPPoolExhausted', 'ACKNodeOperatorIPPoolHighUtilization',
      'ACKNodeOperatorVSwitchIPsLow', 'ACKNodeOperatorOpenAPIErrorRateHigh', 'ACKNodeOperatorENILatencyHigh',
    ]) assert.ok(alerts.some((a) => a.alert === name), name);
    for (const a of alerts) {
      assert.match(a.expr, /job="ack-ack-node-operator-metrics", namespace="kube-system"/, `${a.alert} is pinned to this release's scrape job`);
      assert.equal(a.labels.team, 'platform');
    }
    assert.match(alerts.find((a) => a.alert === 'ACKNodeOperatorNodeClaimNotRegistered')?.expr ?? '', /> 900$/, '15m becomes 900 seconds');
    const trimmed = alertsOf(findManifest(await renderChart({
      values: [ciValues('monitoring')], apiVersions: monitoringAPI,
      set: ['metrics.prometheusRule.disabledAlerts={ACKNodeOperatorIPPoolHighUtilization}', 'metrics.prometheusRule.thresholds.ipPoolUtilization=0.75'],
    }), 'PrometheusRule'));
    assert.equal(trimmed.length, alerts.length - 1);
    assert.ok(!trimmed.some((a) => a.alert === 'ACKNodeOperatorIPPoolHighUtilization'));
  });
});

interface Alert { alert: string; expr: string; for: string; labels: Record<string, string> }
function alertsOf(rule: Manifest): Alert[] {
  return (rule as unknown as { spec: { groups: { rules: Alert[] }[] } }).spec.groups.flatMap((g) => g.rules);
}

/**
 * The container's args and env as the kubelet hands them to the process: downward-API fields
 * resolved, $(VAR) references in args expanded.
 */
function processView(deployment: Manifest, pod: { name: string; namespace: string }): { argv: string[]; env: Record<string, string> } {
  const container = operatorContainer(deployment);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] = field === 'metadata.name' ? pod.name : field === 'metadata.namespace' ? pod.namespace : (e.value ?? '');
  }
  const argv = container.args.map((a) => a.replace(/\$\((\w+)\)/g, (ref, name: string) => env[name] ?? ref));
  return { argv, env };
}

describe('the operator accepts what the chart passes it', () => {
  const shapes: [string, { values: string[]; set?: string[] }][] = [
    ['minimal values', { values: [ciValues('default')] }],
    ['monitoring', { values: [ciValues('monitoring')] }],
    ['RRSA through the webhook', { values: [ciValues('rrsa')] }],
    ['RRSA by hand', { values: [ciValues('rrsa-manual')] }],
    ['embedded cloud without a region', { values: [ciValues('default')], set: ['settings.cloudEndpoint=embedded', 'settings.region=', 'settings.logLevel=debug'] }],
    ['every IPAM default set', {
      values: [ciValues('default')],
      set: ['settings.ipam.vSwitches.cn-hangzhou-h={vsw-a,vsw-b}', 'settings.ipam.vSwitches.cn-hangzhou-i={vsw-c}', 'settings.ipam.securityGroups={sg-1,sg-2}',
        'settings.ipam.vSwitchSelection=most', 'settings.ipam.eniType=Trunk', 'settings.clusterName=bank', 'settings.launchApi=RunInstances'],
    }],
  ];
  for (const [name, opts] of shapes) {
    it(`${name}: every flag parses with the operator's own option parser`, async () => {
      const deployment = findManifest(await renderChart({ ...opts, namespace: 'ack-system' }), 'Deployment');
      const { argv, env } = processView(deployment, { name: 'ack-ack-node-operator-7d9f-abcde', namespace: 'ack-system' });
      const parsed = parseOptions(argv, env);
      assert.equal(parsed.help, false);
      if (parsed.help) return;
      const o = parsed.options;
      assert.equal(o.clusterId, 'c0123456789abcdef');
      assert.equal(o.leaderElect, true);
      assert.equal(o.leaderElectionNamespace, 'ack-system');
      assert.equal(o.leaderElectionLeaseName, 'ack-ack-node-operator', 'the Lease the chart\'s Role allows');
      assert.match(o.leaderElectionIdentity, /^ack-ack-node-operator-7d9f-abcde_/);
      assert.equal(o.metricsPort, 8080);
      assert.equal(o.healthPort, 8081);
      for (const key of Object.keys(parsed.sources) as (keyof typeof parsed.sources)[]) {
        if (parsed.sources[key] === 'env') assert.fail(`${key} came from an environment variable the chart did not mean to set`);
      }
      if (name === 'every IPAM default set') {
        assert.deepEqual(o.ipamVSwitches, { 'cn-hangzhou-h': ['vsw-a', 'vsw-b'], 'cn-hangzhou-i': ['vsw-c'] });
        assert.deepEqual(o.ipamSecurityGroups, ['sg-1', 'sg-2']);
        assert.equal(o.ipamVSwitchSelection, 'most');
        assert.equal(o.ipamEniType, 'Trunk');
        assert.equal(o.clusterName, 'bank');
        assert.equal(o.launchApi, 'RunInstances');
      }
      if (name.startsWith('embedded')) {
        assert.equal(o.cloudEndpoint.kind, 'embedded');
        assert.equal(o.logLevel, 'debug');
        assert.equal(o.credentialsDir, undefined, 'the simulator brings its own keys');
      }
    });
  }

  it('the pod would be refused if a flag the chart renders were unknown to the operator', async () => {
    const deployment = findManifest(await renderChart({ values: [ciValues('default')], set: ['settings.extraArgs={--no-such-flag=1}'] }), 'Deployment');
    const { argv, env } = processView(deployment, { name: 'p', namespace: 'kube-system' });
    assert.throws(() => parseOptions(argv, env), /unknown flag --no-such-flag/);
  });
});

describe('values.schema.json refuses invalid values with a readable message', () => {
  const cases: { name: string; set: string[]; message: RegExp }[] = [
    { name: 'a misspelt top-level key', set: ['replica=3'], message: /additional properties 'replica' not allowed/ },
    { name: 'a misspelt nested key', set: ['settings.clusterID=x'], message: /settings.*additional properties 'clusterID' not allowed/ },
    { name: 'replicas as text', set: ['replicas=two'], message: /replicas.*got string, want integer/ },
    { name: 'an unknown credentials mode', set: ['credentials.mode=password'], message: /credentials\/mode.*value must be one of 'secret', 'rrsa', 'chain'/ },
    { name: 'an unknown log level', set: ['settings.logLevel=verbose'], message: /settings\/logLevel.*value must be one of/ },
    { name: 'a malformed duration', set: ['settings.batchIdleDuration=1 second'], message: /settings\/batchIdleDuration.*does not match pattern/ },
    { name: 'a metrics port out of range', set: ['metrics.port=70000'], message: /metrics\/port.*maximum/ },
    { name: 'a utilization above 1', set: ['metrics.prometheusRule.thresholds.ipPoolUtilization=1.5'], message: /thresholds\/ipPoolUtilization': '1\.5' does not match pattern/ },
    { name: 'RRSA without a role', set: ['credentials.mode=rrsa'], message: /credentials\/rrsa/ },
    { name: 'an unknown alert to disable', set: ['metrics.prometheusRule.disabledAlerts={NoSuchAlert}'], message: /disabledAlerts\/0.*value must be one of/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, async () => {
      const result = await helmTemplate({ values: [ciValues('default')], set: c.set });
      assert.notEqual(result.code, 0, 'helm template must fail');
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.match(result.stderr, c.message);
    });
  }

  it('lint reports the same schema violation', async () => {
    const result = await helm(['lint', '--strict', chartDir, '--values', ciValues('default'), '--set', 'replicas=two']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /replicas.*got string, want integer/);
  });

  it('explains what is missing when a required setting is empty', async () => {
    for (const [set, message] of [
      ['settings.clusterId=', /settings\.clusterId is required/],
      ['credentials.accessKeyId=', /credentials\.accessKeyId is required when credentials\.mode is "secret"/],
      ['leaderElection.enabled=false', /replicas > 1 requires leaderElection\.enabled/],
    ] as const) {
      const result = await helmTemplate({ values: [ciValues('default')], set: [set] });
      assert.notEqual(result.code, 0, set);
      assert.match(result.stderr, message);
    }
  });
});

describe('kubeVersion', () => {
  it('refuses a cluster older than the chart supports, naming the required version', async () => {
    const result = await helm(['template', 'ack', chartDir, '--kube-version', 'v1.27.0', '--values', ciValues('default')]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /chart requires kubeVersion: >=1\.29\.0-0 which is incompatible with Kubernetes v1\.27\.0/);
  });
});

describe('RBAC', () => {
  it('names every API group, resource and verb (no wildcards) and grants nothing on Secrets', async () => {
    for (const set of [[], ['settings.cloudEndpoint=embedded']]) {
      const ms = await renderChart({ values: [ciValues('default')], set });
      for (const role of ms.filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')) {
        for (const rule of rulesOf(role)) {
          for (const field of [rule.apiGroups, rule.resources, rule.verbs]) assert.ok(!field.includes('*'), JSON.stringify(rule));
          assert.ok(!rule.resources.some((r) => r === 'secrets' || r.startsWith('secrets/')), JSON.stringify(rule));
          assert.ok(!rule.verbs.some((v) => ['escalate', 'bind', 'impersonate'].includes(v)), JSON.stringify(rule));
        }
      }
    }
  });

  it('lets the operator create Nodes only when the embedded simulator plays the node join', async () => {
    const canCreateNodes = (ms: Manifest[]): boolean => rulesOf(findManifest(ms, 'ClusterRole'))
      .some((r) => r.apiGroups.includes('') && r.resources.includes('nodes') && r.verbs.includes('create'));
    assert.equal(canCreateNodes(await renderChart({ values: [ciValues('default')] })), false);
    assert.equal(canCreateNodes(await renderChart({ values: [ciValues('default')], set: ['settings.cloudEndpoint=embedded'] })), true);
  });

  it('limits leader election to its own Lease in the release namespace', async () => {
    const ms = await renderChart({ values: [ciValues('default')], namespace: 'ack-system' });
    const role = findManifest(ms, 'Role');
    assert.equal(role.metadata.namespace, 'ack-system');
    const rules = rulesOf(role);
    assert.ok(rules.every((r) => r.apiGroups.join() === 'coordination.k8s.io' && r.resources.join() === 'leases'));
    const named = rules.filter((r) => r.resourceNames);
    assert.ok(named.length > 0 && named.every((r) => r.resourceNames?.join() === 'ack-ack-node-operator'));
    assert.ok(rules.filter((r) => !r.resourceNames).every((r) => r.verbs.join() === 'create'), 'only create is unrestricted by name');
  });
});

describe('chart CRDs', () => {
  it('are byte-identical to crds/ (run hack/sync-chart-crds.sh after changing them)', async () => {
    const source = join(repoRoot, 'crds');
    const copy = join(chartDir, 'crds');
    const [sourceFiles, copyFiles] = await Promise.all([readdir(source), readdir(copy)]);
    assert.deepEqual(copyFiles.sort(), sourceFiles.filter((f) => f.endsWith('.yaml')).sort());
    assert.ok(sourceFiles.length > 0, 'crds/ holds the CRDs');
    for (const file of copyFiles) {
      assert.ok((await readFile(join(copy, file))).equals(await readFile(join(source, file))), `${file} differs`);
    }
  });
});

describe('METRICS.md', () => {
  it('lists every metric the alerts and the dashboard query', async () => {
    const listed = await readFile(join(chartDir, 'METRICS.md'), 'utf8');
    const rule = findManifest(await renderChart({ values: [ciValues('monitoring')], apiVersions: monitoringAPI }), 'PrometheusRule');
    const queries = [
      ...alertsOf(rule).map((a) => a.expr),
      ...(JSON.parse(await readFile(join(chartDir, 'files/dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] })
        .panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ];
    const used = new Set(queries.flatMap((q) => [...q.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1] ?? '')));
    assert.ok(used.size >= 15, `found ${used.size} metrics`);
    // A histogram is documented by its base name; its _bucket/_count/_sum series follow.
    const documented = (name: string): boolean =>
      listed.includes(`\`${name}\``) || listed.includes(`\`${name.replace(/_(bucket|count|sum)$/, '')}\``);
    for (const name of used) assert.ok(documented(name), `${name} is documented in METRICS.md`);
  });
});
