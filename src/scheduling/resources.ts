// What a pod asks of a node: Kubernetes' effective requests (app containers summed, init
// containers taking the max, sidecars running beside both, plus pod overhead), and one pod slot.
import type { ContainerLite, PodSpecLite, ResourceList } from './types.js';

export const ResourceCPU = 'cpu';
export const ResourceMemory = 'memory';
export const ResourcePods = 'pods';
export const ResourceEphemeralStorage = 'ephemeral-storage';

function containerRequests(c: ContainerLite): ResourceList {
  if (!c.limits) return c.requests ?? {};
  const out: Record<string, number> = { ...c.limits };
  for (const [k, v] of Object.entries(c.requests ?? {})) out[k] = v;
  return out;
}

function addInto(target: Record<string, number>, add: ResourceList): void {
  for (const [k, v] of Object.entries(add)) target[k] = (target[k] ?? 0) + v;
}

function maxInto(target: Record<string, number>, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (v > (target[k] ?? 0)) target[k] = v;
}

/**
 * The pod's effective requests as kube-scheduler computes them (k8s.io/component-helpers PodRequests),
 * plus `pods: 1`.
 */
export function podRequests(pod: PodSpecLite): Record<string, number> {
  const reqs: Record<string, number> = {};
  for (const c of pod.containers) addInto(reqs, containerRequests(c));
  const sidecars: Record<string, number> = {};
  const initPeak: Record<string, number> = {};
  for (const c of pod.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, r);
      maxInto(initPeak, sidecars);
    } else {
      const during: Record<string, number> = { ...sidecars };
      addInto(during, r);
      maxInto(initPeak, during);
    }
  }
  addInto(reqs, sidecars);
  maxInto(reqs, initPeak);
  if (pod.overhead) addInto(reqs, pod.overhead);
  reqs[ResourcePods] = (reqs[ResourcePods] ?? 0) + 1;
  return reqs;
}

export function sumResources(lists: Iterable<ResourceList>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lists) addInto(out, l);
  return out;
}

/** Every resource in `requests` fits within `available` (absent means zero). */
export function fits(requests: ResourceList, available: ResourceList): boolean {
  for (const [k, v] of Object.entries(requests)) if (v > 0 && v > (available[k] ?? 0)) return false;
  return true;
}

export function subtractResources(a: ResourceList, b: ResourceList): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) - v;
  return out;
}
