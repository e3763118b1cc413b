// Launch candidates of a NodeClaim: every (instance type, zone, capacity type) its requirements
// allow, that fits its requests, is available, and has a vSwitch of the node class in its zone;
// spot before on-demand (Karpenter prefers spot whenever the claim allows it), then cheapest
// first. Pure: the launch step feeds it the catalog and the node class status.
import { LabelCapacityType, LabelHostname, LabelNodePool, LabelZone } from '../../apis/labels.js';
import {
  Requirement,
  Requirements,
  fits,
  formatResources,
  type CapacityType,
  type InstanceType,
  type NodeSelectorOperator,
  type NodeSelectorRequirement,
  type ResourceList,
} from '../../scheduling/index.js';

export interface NodeClassVSwitch {
  id: string;
  zoneID: string;
  availableIPAddressCount?: number;
}

export interface NodeClassImage {
  id: string;
  requirements: readonly { key: string; operator: string; values?: readonly string[] }[];
}

export interface CandidateInput {
  requirements: readonly { key: string; operator: string; values?: readonly string[] }[];
  requests: ResourceList;
  instanceTypes: readonly InstanceType[];
  vSwitches: readonly NodeClassVSwitch[];
  images: readonly NodeClassImage[];
  /** vSwitches that just answered "no free IP" in this launch. */
  excludedVSwitches?: ReadonlySet<string>;
}

export interface PlannedCandidate {
  instanceType: InstanceType;
  /** The node class image for this type (its architecture). */
  imageId: string;
  zone: string;
  capacityType: CapacityType;
  vSwitchId: string;
  pricePerHour: number;
}

export type CandidatePlan =
  | { ok: true; candidates: PlannedCandidate[] }
  | { ok: false; reason: string };

/** Keys whose requirements are not about the instance type: node labels, or decided per offering. */
const notTypeKeys: ReadonlySet<string> = new Set([LabelNodePool, LabelHostname, LabelZone, LabelCapacityType]);
const operators: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);

/**
 * Why the type's labels break a requirement, or undefined. A label the catalog knows for some types
 * (a GPU count, say) but this type lacks counts as absent, so `Exists` excludes the type.
 */
function typeMismatch(labels: Readonly<Record<string, string>>, requirements: Requirements, typeLabelKeys: ReadonlySet<string>): string | undefined {
  for (const requirement of requirements.values()) {
    if (notTypeKeys.has(requirement.key)) continue;
    const value = labels[requirement.key];
    if (value !== undefined) {
      if (!requirement.has(value)) return requirement.toString();
    } else if (typeLabelKeys.has(requirement.key) && requirement.requiresPresence) {
      return requirement.toString();
    }
  }
  return undefined;
}

function imageRequirements(image: NodeClassImage): Requirements {
  const out = new Requirements();
  for (const r of image.requirements) {
    if (!operators.has(r.operator)) continue;
    out.add(Requirement.of(r.key, r.operator as NodeSelectorOperator, [...(r.values ?? [])]));
  }
  return out;
}

/** The first image (status order) whose requirements the type meets, e.g. its architecture. */
function imageFor(labels: Readonly<Record<string, string>>, images: readonly { id: string; requirements: Requirements }[]): string | undefined {
  for (const image of images) {
    let ok = true;
    for (const r of image.requirements.values()) {
      const value = labels[r.key];
      if (value === undefined ? r.requiresPresence : !r.has(value)) {
        ok = false;
        break;
      }
    }
    if (ok) return image.id;
  }
  return undefined;
}

/** Per zone, the vSwitch with the most free IPs (unknown counts as one); none when all are empty. */
export function vSwitchByZone(vSwitches: readonly NodeClassVSwitch[], excluded: ReadonlySet<string> = new Set()): Map<string, string> {
  const best = new Map<string, { id: string; free: number }>();
  for (const v of vSwitches) {
    if (excluded.has(v.id)) continue;
    const free = v.availableIPAddressCount ?? 1;
    if (free <= 0) continue;
    const current = best.get(v.zoneID);
    if (!current || free > current.free || (free === current.free && v.id < current.id)) best.set(v.zoneID, { id: v.id, free });
  }
  return new Map([...best].map(([zone, v]) => [zone, v.id]));
}

const capacityRank: Record<CapacityType, number> = { spot: 0, 'on-demand': 1 };

export function planCandidates(input: CandidateInput): CandidatePlan {
  const requirements = Requirements.fromNodeSelector(
    input.requirements
      .filter((r) => operators.has(r.operator))
      .map((r): NodeSelectorRequirement => ({ key: r.key, operator: r.operator as NodeSelectorOperator, values: r.values ?? [] })),
  );
  const zones = requirements.get(LabelZone);
  const capacityTypes = requirements.get(LabelCapacityType);
  const typeLabelKeys = new Set(input.instanceTypes.flatMap((t) => Object.keys(t.labels)));
  const vSwitches = vSwitchByZone(input.vSwitches, input.excludedVSwitches);
  const images = input.images.map((image) => ({ id: image.id, requirements: imageRequirements(image) }));

  let compatible = 0;
  let fitting = 0;
  let withImage = 0;
  let lastMismatch: string | undefined;
  const planned: PlannedCandidate[] = [];
  for (const type of input.instanceTypes) {
    const mismatch = typeMismatch(type.labels, requirements, typeLabelKeys);
    if (mismatch) {
      lastMismatch = mismatch;
      continue;
    }
    compatible++;
    if (!fits(input.requests, type.allocatable)) continue;
    fitting++;
    const imageId = imageFor(type.labels, images);
    if (!imageId) continue;
    withImage++;
    for (const offering of type.offerings) {
      if (!offering.available || !zones.has(offering.zone) || !capacityTypes.has(offering.capacityType)) continue;
      const vSwitchId = vSwitches.get(offering.zone);
      if (!vSwitchId) continue;
      planned.push({ instanceType: type, zone: offering.zone, capacityType: offering.capacityType, vSwitchId, pricePerHour: offering.price, imageId });
    }
  }

  if (planned.length === 0) {
    if (input.instanceTypes.length === 0) return { ok: false, reason: 'the catalog has no instance type for the node class' };
    if (compatible === 0) return { ok: false, reason: `no instance type meets the requirements (e.g. ${lastMismatch ?? 'none'})` };
    if (fitting === 0) return { ok: false, reason: `no compatible instance type has room for the requests ${formatResources(input.requests)}` };
    if (withImage === 0) return { ok: false, reason: 'no image of the node class supports the compatible instance types (architecture)' };
    if (vSwitches.size === 0) return { ok: false, reason: 'the node class has no vSwitch with free IPs' };
    return {
      ok: false,
      reason: `no available offering of the ${withImage} fitting instance type(s) in the allowed zones and capacity types with a vSwitch of the node class (zones with free IPs: ${[...vSwitches.keys()].sort().join(', ')})`,
    };
  }

  planned.sort(
    (a, b) =>
      capacityRank[a.capacityType] - capacityRank[b.capacityType] ||
      a.pricePerHour - b.pricePerHour ||
      (a.instanceType.name < b.instanceType.name ? -1 : a.instanceType.name > b.instanceType.name ? 1 : 0) ||
      (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0),
  );
  return { ok: true, candidates: planned };
}
