// Which pods the provisioner acts on, as upstream Karpenter decides it (pkg/utils/pod/scheduling.go):
// a pod is provisionable when kube-scheduler tried and failed to place it, it is not bound, not
// preempting (kube-scheduler nominated a node for it), not a DaemonSet's or a static pod, and
// neither terminal nor being deleted. A pod on a node that goes away is reschedulable when a
// controller will recreate it elsewhere.
import type { Pod } from '../operator/index.js';

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isBeingDeleted(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

export function isOwnedByDaemonSet(pod: Pod): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((ref) => ref.kind === 'DaemonSet' && ref.apiVersion?.startsWith('apps/'));
}

/** Static pods: the kubelet's mirror pods, owned by their Node. */
export function isOwnedByNode(pod: Pod): boolean {
  return (
    (pod.metadata?.ownerReferences ?? []).some((ref) => ref.kind === 'Node') ||
    pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined
  );
}

export function isScheduled(pod: Pod): boolean {
  return Boolean(pod.spec?.nodeName);
}

/** kube-scheduler nominated a node for it after preempting pods there: it will land there, not on new capacity. */
export function isPreempting(pod: Pod): boolean {
  return Boolean(pod.status?.nominatedNodeName);
}

/** PodScheduled=False with reason Unschedulable: kube-scheduler found no node for it. */
export function failedToSchedule(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

/** A pending pod the provisioner should find capacity for. */
export function isProvisionable(pod: Pod): boolean {
  return (
    !isScheduled(pod) &&
    !isPreempting(pod) &&
    failedToSchedule(pod) &&
    !isOwnedByDaemonSet(pod) &&
    !isOwnedByNode(pod) &&
    !isTerminal(pod) &&
    !isBeingDeleted(pod)
  );
}

/** A pod on a node that goes away which needs a place elsewhere (its owner recreates it, or it is a bare pod that would be lost). */
export function isReschedulable(pod: Pod): boolean {
  return !isTerminal(pod) && !isBeingDeleted(pod) && !isOwnedByDaemonSet(pod) && !isOwnedByNode(pod);
}

/** Counts on a node: bound and not finished (pods being deleted still hold their resources). */
export function isActiveOnNode(pod: Pod): boolean {
  return isScheduled(pod) && !isTerminal(pod);
}
