// What a CNI plugin on the node reads (the contract is in README.md): Terway's pod annotations,
// written only after the allocation is durable in its PodENI (and the node's NetworkNode).
import { AnnotationPodENI, AnnotationPodIPs } from '../../apis/labels.js';
import type { PodAllocation } from '../../ipam/state.js';

/**
 * The annotations the pod must carry for `alloc`. `k8s.aliyun.com/pod-ips` is the address (a
 * comma-separated list when dual stack, as Terway's daemon writes it); `k8s.aliyun.com/pod-eni`
 * is "true" when the pod has an ENI of its own, telling the CNI to read the PodENI (Terway's
 * exclusive-ENI contract). A shared-ENI pod carries null there, which removes a stale value.
 */
export function podAnnotationsFor(alloc: Pick<PodAllocation, 'ip' | 'eniType'>): Record<string, string | null> {
  return {
    [AnnotationPodIPs]: alloc.ip,
    [AnnotationPodENI]: alloc.eniType === 'ENI' ? 'true' : null,
  };
}

/** The part of `wanted` the pod's annotations do not match yet (a merge patch), or undefined. */
export function annotationPatch(current: Readonly<Record<string, string>> | undefined, wanted: Record<string, string | null>): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(wanted)) {
    const have = current?.[key];
    if (value === null ? have !== undefined : have !== value) patch[key] = value;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
