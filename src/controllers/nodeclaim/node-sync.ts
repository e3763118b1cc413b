// What registration writes onto a Node, and when a registered Node counts as initialized, with
// Karpenter v1's rules (pkg/controllers/nodeclaim/lifecycle/registration.go, initialization.go).
// Pure: the lifecycle step patches what these return.
import { NodeClaimApiVersion, NodeClaimKind, type NodeClaim } from '../../apis/nodeclaim.js';
import { FinalizerTermination, LabelNodeRegistered, TaintUnregistered } from '../../apis/labels.js';
import type { Node } from '../../operator/index.js';
import { parseQuantity } from '../../scheduling/index.js';

type NodeTaint = NonNullable<NonNullable<Node['spec']>['taints']>[number];
type OwnerReference = NonNullable<NonNullable<Node['metadata']>['ownerReferences']>[number];

export interface NodeRegistration {
  labels: Record<string, string>;
  taints: NodeTaint[];
  ownerReferences: OwnerReference[];
  finalizers: string[];
}

const sameTaint = (a: { key: string; effect: string }, b: { key: string; effect: string }) => a.key === b.key && a.effect === b.effect;

function withoutTimeAdded(t: { key: string; value?: string; effect: string }): NodeTaint {
  return { key: t.key, effect: t.effect, ...(t.value ? { value: t.value } : {}) };
}

/**
 * The Node as registration leaves it: the NodeClaim's labels plus karpenter.sh/registered, its
 * taints and startup taints merged in (only on first registration, so a startup taint a daemon
 * removed is not put back), karpenter.sh/unregistered removed, the NodeClaim as owner and the
 * termination finalizer, so deleting the Node drains it through its NodeClaim.
 */
export function registrationOf(node: Node, claim: NodeClaim, firstRegistration: boolean): NodeRegistration {
  const labels = { ...(node.metadata?.labels ?? {}), ...(claim.metadata.labels ?? {}), [LabelNodeRegistered]: 'true' };
  const taints: NodeTaint[] = (node.spec?.taints ?? []).filter((t) => t.key !== TaintUnregistered);
  if (firstRegistration) {
    for (const t of [...(claim.spec.taints ?? []), ...(claim.spec.startupTaints ?? [])]) {
      if (!taints.some((existing) => sameTaint(existing, t))) taints.push(withoutTimeAdded(t));
    }
  }
  const owner: OwnerReference = {
    apiVersion: NodeClaimApiVersion,
    kind: NodeClaimKind,
    name: claim.metadata.name ?? '',
    uid: claim.metadata.uid ?? '',
    blockOwnerDeletion: true,
  };
  const owners = node.metadata?.ownerReferences ?? [];
  const ownerReferences = owners.some((o) => o.uid === owner.uid) ? owners : [...owners, owner];
  const finalizers = node.metadata?.finalizers ?? [];
  return {
    labels,
    taints,
    ownerReferences,
    finalizers: finalizers.includes(FinalizerTermination) ? finalizers : [...finalizers, FinalizerTermination],
  };
}

/** True when applying `registration` would change nothing. */
export function isRegistered(node: Node, registration: NodeRegistration): boolean {
  const labels = node.metadata?.labels ?? {};
  const taints = node.spec?.taints ?? [];
  return (
    Object.entries(registration.labels).every(([k, v]) => labels[k] === v) &&
    taints.length === registration.taints.length &&
    registration.taints.every((t) => taints.some((x) => sameTaint(x, t) && (x.value ?? '') === (t.value ?? ''))) &&
    (node.metadata?.ownerReferences?.length ?? 0) === registration.ownerReferences.length &&
    (node.metadata?.finalizers ?? []).includes(FinalizerTermination)
  );
}

/** Taints every node carries while it comes up; initialization waits for them to go (Karpenter's list). */
const ephemeralTaints: readonly { key: string; effect: string }[] = [
  { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.cloudprovider.kubernetes.io/uninitialized', effect: 'NoSchedule' },
];

/**
 * Why the Node is not initialized yet, or undefined when it is: it must be Ready, the NodeClaim's
 * startup taints (only those: other taints are the users') and the ephemeral taints must be gone,
 * and every resource the NodeClaim requested must be allocatable (extended resources appear when
 * their device plugin registers).
 */
export function initializationBlocker(node: Node, claim: NodeClaim): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return `node ${node.metadata?.name ?? ''} is not Ready${ready?.reason ? ` (${ready.reason})` : ''}`;
  const taints = node.spec?.taints ?? [];
  for (const startup of claim.spec.startupTaints ?? []) {
    if (taints.some((t) => sameTaint(t, startup))) return `startup taint ${startup.key}:${startup.effect} is still on the node`;
  }
  for (const ephemeral of ephemeralTaints) {
    if (taints.some((t) => sameTaint(t, ephemeral))) return `taint ${ephemeral.key}:${ephemeral.effect} is still on the node`;
  }
  const allocatable = node.status?.allocatable ?? {};
  for (const [resource, quantity] of Object.entries(claim.spec.resources?.requests ?? {})) {
    if (parseQuantity(quantity) === 0) continue;
    const have = allocatable[resource];
    if (have === undefined || parseQuantity(have) === 0) return `requested resource ${resource} is not allocatable on the node yet`;
  }
  return undefined;
}
