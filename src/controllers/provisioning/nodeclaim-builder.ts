// A planned claim (the core's NewClaim) to the NodeClaim the provisioner creates, as upstream
// Karpenter writes it (NodeClaimTemplate.ToNodeClaim): labels of the template and of its
// single-valued requirements plus karpenter.sh/nodepool, the NodePool hash, an owner reference to
// the NodePool, and the spec's requirements narrowed by the plan: the instance types that fit,
// cheapest first, and only the zones and capacity types those types are offered in. Pure.
import { randomBytes } from 'node:crypto';
import {
  AnnotationNodePoolHash,
  AnnotationNodePoolHashVersion,
  AnnotationPlannedPodNetworks,
  LabelCapacityType,
  LabelInstanceType,
  LabelNodePool,
  LabelZone,
} from '../../apis/labels.js';
import { NodeClaimApiVersion, NodeClaimKind } from '../../apis/nodeclaim.js';
import { NodePoolApiVersion, NodePoolKind, type NodePool } from '../../apis/nodepool.js';
import type { NewClaim, NodeSelectorRequirementWithMinValues } from '../../scheduling/index.js';
import { networkNameOf } from '../../state/index.js';
import { toQuantities } from '../nodeclaim/quantities.js';
import { nodePoolHash, NodePoolHashVersion } from './nodepool-hash.js';

/** The body of a NodeClaim create call. */
export interface NodeClaimBody {
  apiVersion: typeof NodeClaimApiVersion;
  kind: typeof NodeClaimKind;
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; blockOwnerDeletion: boolean }[];
  };
  spec: {
    requirements: { key: string; operator: string; values?: string[]; minValues?: number }[];
    resources: { requests: Record<string, string> };
    nodeClassRef: NodePool['spec']['template']['spec']['nodeClassRef'];
    taints?: { key: string; value?: string; effect: string }[];
    startupTaints?: { key: string; value?: string; effect: string }[];
    expireAfter: string;
    terminationGracePeriod?: string;
  };
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `<nodepool>-<5 random characters>`, as Kubernetes' generateName does (but chosen here, so a retried create is recognised). */
export function nodeClaimName(nodePool: string, random: () => Buffer = () => randomBytes(5)): string {
  const bytes = random();
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[(bytes[i] ?? 0) % alphabet.length];
  // Names are DNS subdomains of at most 253 characters.
  return `${nodePool.slice(0, 247)}-${suffix}`;
}

/** The claim's requirements with instance types cheapest first and zones/capacity types narrowed to where those types are sold. */
export function claimRequirements(claim: NewClaim): NodeSelectorRequirementWithMinValues[] {
  const zones = new Set<string>();
  const capacityTypes = new Set<string>();
  for (const option of claim.instanceTypeOptions) {
    for (const o of option.offerings) {
      zones.add(o.zone);
      capacityTypes.add(o.capacityType);
    }
  }
  const out: NodeSelectorRequirementWithMinValues[] = [];
  for (const r of claim.requirements) {
    if (r.key === LabelInstanceType) {
      out.push({ ...r, operator: 'In', values: claim.instanceTypeOptions.map((o) => o.name) });
    } else if (r.key === LabelZone && zones.size > 0) {
      out.push({ ...r, operator: 'In', values: narrow(r, zones) });
    } else if (r.key === LabelCapacityType && capacityTypes.size > 0) {
      out.push({ ...r, operator: 'In', values: narrow(r, capacityTypes) });
    } else {
      out.push({ ...r, ...(r.values ? { values: [...r.values] } : {}) });
    }
  }
  if (!out.some((r) => r.key === LabelZone) && zones.size > 0) out.push({ key: LabelZone, operator: 'In', values: [...zones].sort() });
  if (!out.some((r) => r.key === LabelCapacityType) && capacityTypes.size > 0) out.push({ key: LabelCapacityType, operator: 'In', values: [...capacityTypes].sort() });
  return out;
}

function narrow(r: NodeSelectorRequirementWithMinValues, offered: ReadonlySet<string>): string[] {
  const allowed = r.operator === 'In' ? (r.values ?? []).filter((v) => offered.has(v)) : [...offered].filter((v) => r.operator !== 'NotIn' || !(r.values ?? []).includes(v));
  return [...new Set(allowed)].sort();
}

/** `{"core-trade": 3, "": 5}`: how many of the claim's pods draw IPs from each network ('' is the default), for the IPAM to warm up. */
export function plannedPodNetworks(claim: NewClaim, podNetworks: ReadonlyMap<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const uid of claim.pods) {
    const key = podNetworks.get(uid);
    if (key === undefined) continue;
    const name = networkNameOf(key);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export function nodeClaimBody(claim: NewClaim, pool: NodePool, name: string, podNetworks: ReadonlyMap<string, string>): NodeClaimBody {
  const template = pool.spec.template;
  const networks = plannedPodNetworks(claim, podNetworks);
  const body: NodeClaimBody = {
    apiVersion: NodeClaimApiVersion,
    kind: NodeClaimKind,
    metadata: {
      name,
      labels: { ...(template.metadata?.labels ?? {}), ...claim.labels, [LabelNodePool]: pool.metadata.name ?? claim.nodePool },
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        [AnnotationNodePoolHash]: nodePoolHash(pool),
        [AnnotationNodePoolHashVersion]: NodePoolHashVersion,
        ...(Object.keys(networks).length > 0 ? { [AnnotationPlannedPodNetworks]: JSON.stringify(networks) } : {}),
      },
      ownerReferences: [
        { apiVersion: NodePoolApiVersion, kind: NodePoolKind, name: pool.metadata.name ?? '', uid: pool.metadata.uid ?? '', blockOwnerDeletion: true },
      ],
    },
    spec: {
      requirements: claimRequirements(claim).map((r) => ({
        key: r.key,
        operator: r.operator,
        ...(r.values && r.operator !== 'Exists' && r.operator !== 'DoesNotExist' ? { values: [...r.values] } : {}),
        ...(r.minValues !== undefined ? { minValues: r.minValues } : {}),
      })),
      resources: { requests: toQuantities(claim.requests) },
      nodeClassRef: { ...template.spec.nodeClassRef },
      expireAfter: template.spec.expireAfter,
      // The NodePool's own taints (the plan copies them from the same template).
      ...(template.spec.taints?.length ? { taints: template.spec.taints.map((t) => ({ ...t })) } : {}),
      ...(template.spec.startupTaints?.length ? { startupTaints: template.spec.startupTaints.map((t) => ({ ...t })) } : {}),
      ...(template.spec.terminationGracePeriod ? { terminationGracePeriod: template.spec.terminationGracePeriod } : {}),
    },
  };
  return body;
}
