// Proof that the local control plane is a real cluster: the controller manager turns a Deployment
// into Pods, the scheduler binds them to a Node, and kwok (playing the kubelet) runs them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { eventually } from '../harness/eventually.js';

const podList = z.object({
  items: z.array(z.object({
    metadata: z.object({ name: z.string() }),
    spec: z.object({ nodeName: z.string().optional() }),
    status: z.object({ phase: z.string().optional(), podIP: z.string().optional() }),
  })),
});
type Pod = z.infer<typeof podList>['items'][number];

const node = z.object({
  status: z.object({ conditions: z.array(z.object({ type: z.string(), status: z.string() })).default([]) }),
});

/** The version hack/controlplane/build.sh pins (and stamps into the binaries). */
async function pinnedKubernetesVersion(): Promise<string> {
  if (process.env.K8S_VERSION) return process.env.K8S_VERSION;
  const script = await readFile(new URL('../../hack/controlplane/build.sh', import.meta.url), 'utf8');
  const pinned = /^K8S_VERSION="\$\{K8S_VERSION:-(v[0-9.]+)\}"/m.exec(script)?.[1];
  assert.ok(pinned, 'build.sh pins K8S_VERSION');
  return pinned;
}

describe('local control plane', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await cp?.stop();
  });

  async function kubectlOk(args: string[], input?: string): Promise<string> {
    const result = await cp.kubectl(args, input === undefined ? {} : { input });
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  it('serves the pinned Kubernetes version, not v0.0.0', async () => {
    const versions = z.object({ serverVersion: z.object({ gitVersion: z.string() }) })
      .parse(JSON.parse(await kubectlOk(['version', '-o', 'json'])));
    assert.equal(versions.serverVersion.gitVersion, await pinnedKubernetesVersion());
  });

  it('creates, schedules and runs the Pods of a Deployment on a kwok Node', async () => {
    const namespace = 'proof';
    await kubectlOk(['create', 'namespace', namespace]);
    await kubectlOk(['apply', '-n', namespace, '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'inflate' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'inflate' } },
        template: {
          metadata: { labels: { app: 'inflate' } },
          spec: {
            containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '250m', memory: '250Mi' } } }],
          },
        },
      },
    }));

    let pods: Pod[] = [];
    const listPods = async (): Promise<Pod[]> => {
      pods = podList.parse(JSON.parse(await kubectlOk(['get', 'pods', '-n', namespace, '-l', 'app=inflate', '-o', 'json']))).items;
      return pods;
    };
    const seen = { lastSeen: () => JSON.stringify(pods.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status.phase }))) };

    // The controller manager (Deployment, then ReplicaSet controller) creates the Pods; with no Node
    // in the cluster the scheduler cannot place them.
    await eventually('the ReplicaSet controller created 3 Pods', async () => ((await listPods()).length === 3 ? true : undefined), seen);
    assert.ok(pods.every((p) => p.spec.nodeName === undefined && p.status.phase === 'Pending'), `Pods are pending and unbound: ${seen.lastSeen()}`);

    // A Node as kwok's documentation registers one; kwok marks it Ready.
    const nodeName = 'kwok-node-0';
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
        labels: { type: 'kwok', 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      },
      status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110' }, capacity: { cpu: '4', memory: '16Gi', pods: '110' } },
    }));
    await eventually('kwok reported the Node Ready', async () => {
      const conditions = node.parse(JSON.parse(await kubectlOk(['get', 'node', nodeName, '-o', 'json']))).status.conditions;
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });

    // The scheduler binds every Pod to the Node, and kwok runs them with an IP from its pod CIDR.
    await eventually('all 3 Pods are bound to the Node and Running', async () => {
      const current = await listPods();
      return current.length === 3 && current.every((p) => p.spec.nodeName === nodeName && p.status.phase === 'Running' && p.status.podIP)
        ? true : undefined;
    }, seen);
    assert.equal(new Set(pods.map((p) => p.status.podIP)).size, 3, 'each Pod has its own IP');
  });
});
