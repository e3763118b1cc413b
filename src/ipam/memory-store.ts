// IpamStore in memory: for unit tests and the benchmark. Copies on the way in and out, so the
// engine's state and the "persisted" state can be compared like a restart would see them.
import type { IpamStore } from './store.js';
import { podId, type NodeIpamState, type PodAllocation } from './state.js';

export class MemoryIpamStore implements IpamStore {
  private readonly nodes = new Map<string, NodeIpamState>();
  private readonly pods = new Map<string, PodAllocation>();
  /** Writes accepted, for tests and the benchmark. */
  writes = 0;
  /** When set, the next write fails once (simulates an API server hiccup). */
  failNextWrite: Error | undefined;

  private maybeFail(): void {
    const err = this.failNextWrite;
    if (err) {
      this.failNextWrite = undefined;
      throw err;
    }
    this.writes++;
  }

  async listNodes(): Promise<NodeIpamState[]> {
    return [...this.nodes.values()].map((n) => structuredClone(n));
  }
  async saveNode(state: NodeIpamState): Promise<void> {
    this.maybeFail();
    this.nodes.set(state.name, structuredClone(state));
  }
  async deleteNode(name: string): Promise<void> {
    this.maybeFail();
    this.nodes.delete(name);
  }
  async listPodAllocations(): Promise<PodAllocation[]> {
    return [...this.pods.values()].map((p) => structuredClone(p));
  }
  async savePodAllocation(allocation: PodAllocation): Promise<void> {
    this.maybeFail();
    this.pods.set(podId(allocation.namespace, allocation.name), structuredClone(allocation));
  }
  async deletePodAllocation(namespace: string, name: string): Promise<void> {
    this.maybeFail();
    this.pods.delete(podId(namespace, name));
  }
}
