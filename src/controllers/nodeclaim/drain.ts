// Which pods a node's drain evicts, deletes, waits for or leaves alone, with Karpenter v1's rules
// (pkg/controllers/node/termination/terminator). Pure: the termination step acts on the plan.
//
// - Left alone: finished pods, mirror (static) pods, DaemonSet pods (their controller would put
//   them straight back) and pods that tolerate the karpenter.sh/disrupted:NoSchedule taint (they
//   would be scheduled straight back).
// - Evicted through the eviction API (PDBs decide): everything else, non-critical pods first and
//   system-cluster-critical / system-node-critical pods only once those are gone, so the node's
//   plumbing outlives the workloads that need it.
// - Waited for: pods already terminating, and pods annotated karpenter.sh/do-not-disrupt=true,
//   which are never evicted.
// - Deleted: when the NodeClaim has a terminationGracePeriod, every remaining pod is deleted early
//   enough that its own grace period ends by the deadline (do-not-disrupt and PDBs notwithstanding).
import { AnnotationDoNotDisrupt, TaintDisrupted } from '../../apis/labels.js';
import type { Pod } from '../../operator/index.js';
import { tolerates, type Toleration } from '../../scheduling/index.js';

const criticalPriorityClasses: ReadonlySet<string> = new Set(['system-cluster-critical', 'system-node-critical']);
const mirrorAnnotation = 'kubernetes.io/config.mirror';
const defaultPodGraceSeconds = 30;

export interface PodDeletion {
  pod: Pod;
  /** Shortened so the pod is gone by the deadline. */
  gracePeriodSeconds: number;
}

export interface DrainPlan {
  evict: Pod[];
  delete: PodDeletion[];
  /** Terminating, do-not-disrupt, or critical pods waiting for the others. */
  waiting: Pod[];
  /** Pods that are never drained. */
  ignored: Pod[];
  /** do-not-disrupt pods among `waiting`, for an Event. */
  doNotDisrupt: Pod[];
  /** No pod left that the drain must wait for. */
  drained: boolean;
}

export function isDrainExempt(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  if (pod.metadata?.annotations?.[mirrorAnnotation] !== undefined) return true;
  if (pod.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller !== false)) return true;
  const disrupted = { key: TaintDisrupted, effect: 'NoSchedule' as const };
  return (pod.spec?.tolerations ?? []).some((t) => tolerates(t as Toleration, disrupted));
}

function isCritical(pod: Pod): boolean {
  return criticalPriorityClasses.has(pod.spec?.priorityClassName ?? '');
}

export function isDoNotDisrupt(pod: Pod): boolean {
  return pod.metadata?.annotations?.[AnnotationDoNotDisrupt] === 'true';
}

/**
 * @param deadline when the NodeClaim's terminationGracePeriod ends (deletion time + TGP); absent
 * when it has none, and then nothing is ever force-deleted.
 */
export function planDrain(pods: readonly Pod[], now: Date, deadline?: Date): DrainPlan {
  const plan: DrainPlan = { evict: [], delete: [], waiting: [], ignored: [], doNotDisrupt: [], drained: true };
  const evictable: Pod[] = [];
  for (const pod of pods) {
    if (isDrainExempt(pod)) {
      plan.ignored.push(pod);
      continue;
    }
    plan.drained = false;
    const terminating = pod.metadata?.deletionTimestamp !== undefined;
    if (deadline) {
      const podGrace = pod.spec?.terminationGracePeriodSeconds ?? defaultPodGraceSeconds;
      const secondsLeft = Math.max(0, Math.floor((deadline.getTime() - now.getTime()) / 1000));
      // Karpenter deletes a pod once the deadline is closer than its own grace period.
      if (secondsLeft <= podGrace && !(terminating && (pod.metadata?.deletionGracePeriodSeconds ?? Infinity) <= secondsLeft)) {
        plan.delete.push({ pod, gracePeriodSeconds: secondsLeft });
        continue;
      }
    }
    if (terminating) plan.waiting.push(pod);
    else if (isDoNotDisrupt(pod)) {
      plan.waiting.push(pod);
      plan.doNotDisrupt.push(pod);
    } else evictable.push(pod);
  }
  const nonCritical = evictable.filter((p) => !isCritical(p));
  if (nonCritical.length > 0 || plan.waiting.some((p) => !isCritical(p))) {
    plan.evict = nonCritical;
    plan.waiting.push(...evictable.filter(isCritical));
  } else {
    plan.evict = evictable;
  }
  return plan;
}
