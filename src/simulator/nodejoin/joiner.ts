// Plays the node bootstrap and the ACK spot-interruption signal against a real API server:
// when an instance reaches Running its Node is registered (from the user-data contract), and
// when a spot instance is to be reclaimed the Node gets the InstanceTerminating condition and a
// PreemptibleInstanceInterruption event. Releasing an instance deletes nothing in Kubernetes.
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Cloud } from '../model/cloud.js';
import type { InstanceRecord } from '../model/records.js';
import { buildNode, nodeNameOf, providerIdOf, type NodeSettings } from './node.js';
import { parseUserData } from './userData.js';

export const interruptionConditionType = 'InstanceTerminating';
export const interruptionConditionReason = 'SpotInterruption';
export const interruptionEventReason = 'PreemptibleInstanceInterruption';

const maxAttempts = 6;

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export class NodeJoiner {
  private readonly api: CoreV1Api;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: { cloud: Cloud; kubeconfigPath: string; node: NodeSettings; logger: Logger },
  ) {
    const kc = new KubeConfig();
    kc.loadFromFile(deps.kubeconfigPath);
    this.api = kc.makeApiClient(CoreV1Api);
    this.unsubscribe = deps.cloud.subscribe({
      instanceRunning: (instance) => this.track(() => this.join(instance), `join ${instance.id}`),
      instanceInterrupted: (instance, terminationTime) =>
        this.track(() => this.signalInterruption(instance, terminationTime), `interrupt ${instance.id}`),
    });
  }

  /** Runs `work` with retries (the API server may be briefly unavailable), tracked for settled(). */
  private track(work: () => Promise<void>, what: string): void {
    const run = async () => {
      for (let attempt = 1; ; attempt++) {
        if (this.closed) return;
        try {
          await work();
          return;
        } catch (err) {
          const status = statusOf(err);
          const retryable = status === undefined || status === 409 || status === 429 || status >= 500;
          if (!retryable || attempt >= maxAttempts) {
            this.deps.logger.error({ err, what, attempt }, 'node bootstrap step failed');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    };
    const promise = run();
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async join(instance: InstanceRecord): Promise<void> {
    let bootstrap;
    try {
      bootstrap = parseUserData(instance.userData);
    } catch (err) {
      this.deps.logger.error({ err, instanceId: instance.id }, 'malformed ACK_NODE_BOOTSTRAP in user data; the node does not join');
      return;
    }
    if (!bootstrap) {
      this.deps.logger.info({ instanceId: instance.id }, 'no ACK_NODE_BOOTSTRAP in user data; the node does not join');
      return;
    }
    if (!this.deps.cloud.instances.has(instance.id) || instance.releasing) return;
    const image = this.deps.cloud.images.get(instance.imageId);
    const node = buildNode(instance, bootstrap, this.deps.node, image?.osNameEn ?? 'Alibaba Cloud Linux');
    const name = node.metadata.name;
    try {
      await this.api.createNode({ body: node as V1Node });
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      const existing = await this.api.readNode({ name });
      if (existing.spec?.providerID === node.spec.providerID) return;
      // A stale Node from an earlier instance with the same address: replace it, as a kubelet
      // registering with a new provider ID would.
      this.deps.logger.warn({ name, stale: existing.spec?.providerID, providerID: node.spec.providerID }, 'replacing stale Node');
      await this.api.deleteNode({ name });
      throw err; // retried: the create goes through once the old Node is gone
    }
    // The API server keeps status on create, but make capacity certain for kwok and the scheduler.
    await this.api.patchNodeStatus(
      { name, body: { status: { capacity: node.status.capacity, allocatable: node.status.allocatable } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    this.deps.logger.info({ name, instanceId: instance.id }, 'node registered');
  }

  private async signalInterruption(instance: InstanceRecord, terminationTime: string): Promise<void> {
    const name = nodeNameOf(instance);
    let node: V1Node;
    try {
      node = await this.api.readNode({ name });
    } catch (err) {
      if (statusOf(err) === 404) {
        this.deps.logger.info({ name, instanceId: instance.id }, 'interrupted instance has no Node');
        return;
      }
      throw err;
    }
    if (node.spec?.providerID !== providerIdOf(instance)) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const message = `The spot instance ${instance.id} will be released at ${terminationTime}.`;
    await this.api.patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [
              {
                type: interruptionConditionType,
                status: 'True',
                reason: interruptionConditionReason,
                message,
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await this.api.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { generateName: `${name}.` },
        involvedObject: { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid ?? '' },
        reason: interruptionEventReason,
        message,
        type: 'Warning',
        source: { component: 'alibabacloud-ecs', host: name },
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
        count: 1,
        reportingComponent: 'alibabacloud-ecs',
        reportingInstance: instance.id,
      },
    });
    this.deps.logger.info({ name, instanceId: instance.id, terminationTime }, 'spot interruption signalled');
  }

  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.settled();
  }
}
