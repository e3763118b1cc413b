// IpamStore in the API server: per node a `nodes.network.alibabacloud.com` object (Terway's
// NetworkNode), per pod a `PodENI` (records.ts maps them). A write resolves only once the API
// server has accepted it, so the engine hands an address out only after it is durable.
//
// Concurrency: every write carries the resourceVersion this store last saw for the object
// (optimistic concurrency). The engine is the single writer of these records (it runs on the
// leader only, and rebuilt its state from them at start), so a conflict means the store's
// resourceVersion is stale (a user's edit, or the previous leader's last write): the store
// re-reads the object for its resourceVersion and writes the engine's state again, a bounded
// number of times. Writes to one object are serialized here too, so two calls never race on one
// resourceVersion.
//
// Both CRDs have a status subresource: the object is created (metadata and spec) and its status
// written with a second call. A crash between the two leaves an object without status, which
// records.ts reads safely (see fromPodENI); the write had not resolved, so nothing used it.
import type { Logger } from 'pino';
import { NetworkNode, NetworkNodePlural } from '../../apis/networknode.js';
import { PodENI, PodENIPlural } from '../../apis/podeni.js';
import { NetworkingVersion } from '../../apis/podnetworking.js';
import { NetworkingGroup } from '../../apis/labels.js';
import { podId, type NodeIpamState, type PodAllocation } from '../../ipam/state.js';
import type { IpamStore } from '../../ipam/store.js';
import { SerialQueue } from '../../ipam/serial.js';
import { describeKubeError, isAlreadyExists, isConflict, isNotFound, type KubeClients } from '../../operator/index.js';
import { fromNetworkNode, fromPodENI, toNetworkNode, toPodENI } from './records.js';

const group = NetworkingGroup;
const version = NetworkingVersion;
const MaxAttempts = 5;

interface Known {
  resourceVersion: string;
  /** JSON of the metadata and spec last written or read: unchanged ones skip the main-resource write. */
  main: string;
}

interface KubeObjectLike {
  metadata?: { resourceVersion?: string };
}

function resourceVersionOf(obj: unknown): string {
  const rv = (obj as KubeObjectLike | undefined)?.metadata?.resourceVersion;
  if (!rv) throw new Error('API server answered without a resourceVersion');
  return rv;
}

/** Writes `object` (metadata + spec, then status) with optimistic concurrency; the operations differ per kind. */
interface ObjectOps {
  get(): Promise<unknown>;
  create(body: object): Promise<unknown>;
  replace(body: object): Promise<unknown>;
  replaceStatus(body: object): Promise<unknown>;
  remove(): Promise<unknown>;
}

export class KubeIpamStore implements IpamStore {
  private readonly known = new Map<string, Known>();
  private readonly queues = new Map<string, { queue: SerialQueue; pending: number }>();
  /** Writes accepted, conflicts met (for tests and logs). */
  readonly stats = { writes: 0, conflicts: 0 };
  private closed = false;

  constructor(
    private readonly clients: Pick<KubeClients, 'customObjects'>,
    private readonly region: string,
    private readonly log: Logger,
  ) {}

  /**
   * Fences this replica off: every later write fails. Called when it stops leading, so an
   * allocation still in flight can never land after the next leader rebuilt from the CRs (it
   * fails instead, and its pod is retried by the next leader).
   */
  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('IPAM store is closed: this replica no longer leads');
  }

  private serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.queues.get(key);
    if (!entry) {
      entry = { queue: new SerialQueue(), pending: 0 };
      this.queues.set(key, entry);
    }
    const e = entry;
    e.pending++;
    return e.queue.run(task).finally(() => {
      if (--e.pending === 0) this.queues.delete(key);
    });
  }

  private nodeOps(name: string): ObjectOps {
    const c = this.clients.customObjects;
    const base = { group, version, plural: NetworkNodePlural, name };
    return {
      get: () => c.getClusterCustomObject(base),
      create: (body) => c.createClusterCustomObject({ group, version, plural: NetworkNodePlural, body }),
      replace: (body) => c.replaceClusterCustomObject({ ...base, body }),
      replaceStatus: (body) => c.replaceClusterCustomObjectStatus({ ...base, body }),
      remove: () => c.deleteClusterCustomObject(base),
    };
  }

  private podOps(namespace: string, name: string): ObjectOps {
    const c = this.clients.customObjects;
    const base = { group, version, plural: PodENIPlural, namespace, name };
    return {
      get: () => c.getNamespacedCustomObject(base),
      create: (body) => c.createNamespacedCustomObject({ group, version, plural: PodENIPlural, namespace, body }),
      replace: (body) => c.replaceNamespacedCustomObject({ ...base, body }),
      replaceStatus: (body) => c.replaceNamespacedCustomObjectStatus({ ...base, body }),
      remove: () => c.deleteNamespacedCustomObject(base),
    };
  }

  /**
   * Makes the object's metadata, spec and status what `desired` says. Resolves once the status
   * write (the last one) is accepted.
   */
  private async write(key: string, ops: ObjectOps, desired: { apiVersion: string; kind: string; metadata: object; spec?: unknown; status?: unknown }): Promise<void> {
    const { status, ...main } = desired;
    const mainJson = JSON.stringify(main);
    for (let attempt = 1; ; attempt++) {
      try {
        this.checkOpen();
        let known = this.known.get(key);
        if (!known) {
          try {
            const created = await ops.create(main);
            known = { resourceVersion: resourceVersionOf(created), main: mainJson };
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
            known = { resourceVersion: resourceVersionOf(await ops.get()), main: '' };
          }
          this.known.set(key, known);
        }
        if (known.main !== mainJson) {
          this.checkOpen();
          const replaced = await ops.replace({ ...main, metadata: { ...desired.metadata, resourceVersion: known.resourceVersion } });
          known = { resourceVersion: resourceVersionOf(replaced), main: mainJson };
          this.known.set(key, known);
        }
        if (status !== undefined) {
          this.checkOpen();
          const written = await ops.replaceStatus({ ...main, metadata: { ...desired.metadata, resourceVersion: known.resourceVersion }, status });
          this.known.set(key, { resourceVersion: resourceVersionOf(written), main: mainJson });
        }
        this.stats.writes++;
        return;
      } catch (err) {
        if (attempt >= MaxAttempts || !(isConflict(err) || isNotFound(err))) throw err;
        this.stats.conflicts++;
        // Stale resourceVersion (conflict) or the object was deleted behind our back (not found):
        // re-read it, or create it again, and write the engine's state once more.
        this.known.delete(key);
        if (isConflict(err)) {
          try {
            const current = await ops.get();
            this.known.set(key, { resourceVersion: resourceVersionOf(current), main: '' });
          } catch (getErr) {
            if (!isNotFound(getErr)) throw getErr;
          }
        }
        this.log.warn({ record: key, attempt, err: describeKubeError(err) }, 'IPAM record changed behind the engine; writing its state again');
      }
    }
  }

  private async remove(key: string, ops: ObjectOps): Promise<void> {
    this.checkOpen();
    try {
      await ops.remove();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.known.delete(key);
    this.stats.writes++;
  }

  async listNodes(): Promise<NodeIpamState[]> {
    const list = (await this.clients.customObjects.listClusterCustomObject({ group, version, plural: NetworkNodePlural })) as { items?: unknown[] };
    const out: NodeIpamState[] = [];
    for (const raw of list.items ?? []) {
      const parsed = NetworkNode.safeParse(raw);
      const state = parsed.success ? fromNetworkNode(parsed.data) : undefined;
      if (!parsed.success || !state) {
        this.log.warn({ name: (raw as { metadata?: { name?: string } }).metadata?.name }, 'NetworkNode is not an IPAM record; ignoring it');
        continue;
      }
      this.known.set(`node/${state.name}`, { resourceVersion: resourceVersionOf(raw), main: '' });
      out.push(state);
    }
    return out;
  }

  saveNode(state: NodeIpamState): Promise<void> {
    const key = `node/${state.name}`;
    return this.serial(key, () => this.write(key, this.nodeOps(state.name), toNetworkNode(state, this.region)));
  }

  deleteNode(name: string): Promise<void> {
    const key = `node/${name}`;
    return this.serial(key, () => this.remove(key, this.nodeOps(name)));
  }

  async listPodAllocations(): Promise<PodAllocation[]> {
    const list = (await this.clients.customObjects.listCustomObjectForAllNamespaces({ group, version, resourcePlural: PodENIPlural })) as { items?: unknown[] };
    const out: PodAllocation[] = [];
    for (const raw of list.items ?? []) {
      const parsed = PodENI.safeParse(raw);
      const alloc = parsed.success ? fromPodENI(parsed.data) : undefined;
      if (!parsed.success || !alloc) {
        const meta = (raw as { metadata?: { name?: string; namespace?: string } }).metadata;
        this.log.warn({ name: meta?.name, namespace: meta?.namespace }, 'PodENI is not an IPAM record; ignoring it');
        continue;
      }
      this.known.set(`pod/${podId(alloc.namespace, alloc.name)}`, { resourceVersion: resourceVersionOf(raw), main: '' });
      out.push(alloc);
    }
    return out;
  }

  savePodAllocation(allocation: PodAllocation): Promise<void> {
    const key = `pod/${podId(allocation.namespace, allocation.name)}`;
    return this.serial(key, () => this.write(key, this.podOps(allocation.namespace, allocation.name), toPodENI(allocation)));
  }

  deletePodAllocation(namespace: string, name: string): Promise<void> {
    const key = `pod/${podId(namespace, name)}`;
    return this.serial(key, () => this.remove(key, this.podOps(namespace, name)));
  }
}
