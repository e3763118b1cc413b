// What the demo shows, read from the API server and the simulated cloud at one moment: NodeClaims,
// Nodes, the scenario's pods with the IP the IPAM gave each (PodENI, else Terway's pod
// annotation), and the cloud's instances and vSwitches. Parsing is lenient (zod, unknown fields
// kept out) because the demo must keep printing while controllers are still landing.
import { z } from 'zod';

const Condition = z.object({ type: z.string(), status: z.string() });
const Meta = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});

const NodeClaimItem = z.object({
  kind: z.literal('NodeClaim'),
  metadata: Meta,
  status: z.object({
    providerID: z.string().optional(),
    nodeName: z.string().optional(),
    conditions: z.array(Condition).optional(),
  }).optional(),
});
const NodeItem = z.object({
  kind: z.literal('Node'),
  metadata: Meta,
  spec: z.object({ providerID: z.string().optional() }).optional(),
  status: z.object({ conditions: z.array(Condition).optional() }).optional(),
});
const PodItem = z.object({
  kind: z.literal('Pod'),
  metadata: Meta,
  spec: z.object({ nodeName: z.string().optional() }).optional(),
  status: z.object({ phase: z.string().optional() }).optional(),
});
const PodENIItem = z.object({
  kind: z.literal('PodENI'),
  metadata: Meta,
  spec: z.object({
    allocations: z.array(z.object({
      ipv4: z.string().optional(),
      eni: z.object({ id: z.string().optional(), vSwitchID: z.string().optional(), securityGroupIDs: z.array(z.string()).optional() }).optional(),
    })).optional(),
  }).optional(),
});
/** Items are parsed one by one, so one odd object is skipped rather than hiding all the others. */
export const KubeList = z.object({ items: z.array(z.looseObject({ kind: z.string() })) });

export const CloudInstance = z.object({ id: z.string(), status: z.string(), instanceType: z.string(), zoneId: z.string(), tags: z.record(z.string(), z.string()) });
export const CloudVSwitch = z.object({ id: z.string(), name: z.string(), zoneId: z.string(), cidrBlock: z.string(), availableIpAddressCount: z.number(), tags: z.record(z.string(), z.string()) });
export const CloudSecurityGroup = z.object({ id: z.string(), name: z.string(), tags: z.record(z.string(), z.string()) });
export type CloudInstance = z.infer<typeof CloudInstance>;
export type CloudVSwitch = z.infer<typeof CloudVSwitch>;
export type CloudSecurityGroup = z.infer<typeof CloudSecurityGroup>;

// Well-known names (src/apis/labels.ts); repeated here so the demo reads the API as a user would.
const LabelNodePool = 'karpenter.sh/nodepool';
const LabelCapacityType = 'karpenter.sh/capacity-type';
const LabelInstanceType = 'node.kubernetes.io/instance-type';
const LabelZone = 'topology.kubernetes.io/zone';
const AnnotationPricePerHour = 'karpenter.k8s.alibabacloud/price-per-hour';
const AnnotationPodIPs = 'k8s.aliyun.com/pod-ips';
const AnnotationPodSecurityGroups = 'k8s.aliyun.com/security-group';

export interface ClaimView {
  name: string;
  nodePool?: string;
  instanceType?: string;
  zone?: string;
  capacityType?: string;
  pricePerHour?: number;
  instanceId?: string;
  nodeName?: string;
  launched: boolean;
  registered: boolean;
  initialized: boolean;
  deleting: boolean;
}

export interface NodeView {
  name: string;
  instanceId?: string;
  instanceType?: string;
  zone?: string;
  nodePool?: string;
  ready: boolean;
}

export interface PodView {
  namespace: string;
  name: string;
  /** The Deployment's app label: inflate or core-trade. */
  app: string;
  coreTrade: boolean;
  phase: string;
  nodeName?: string;
  ip?: string;
  vSwitchId?: string;
  securityGroupIds: string[];
  deleting: boolean;
}

export interface Snapshot {
  at: number;
  claims: ClaimView[];
  nodes: NodeView[];
  pods: PodView[];
  podEnis: number;
  instances: CloudInstance[];
  vSwitches: CloudVSwitch[];
}

/** i-xxx from `<region>.<instanceId>`. */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  if (!providerID) return undefined;
  const dot = providerID.indexOf('.');
  return dot < 0 ? providerID : providerID.slice(dot + 1);
}

const isTrue = (conditions: { type: string; status: string }[] | undefined, type: string): boolean =>
  conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** The vSwitch whose CIDR holds `ip`. */
export function vSwitchOfIp(ip: string, vSwitches: readonly CloudVSwitch[]): CloudVSwitch | undefined {
  const address = ipv4ToInt(ip);
  if (address === undefined) return undefined;
  return vSwitches.find((v) => {
    const [base, bits] = v.cidrBlock.split('/');
    const start = ipv4ToInt(base ?? '');
    const prefix = Number(bits);
    if (start === undefined || !Number.isInteger(prefix)) return false;
    const size = 2 ** (32 - prefix);
    return address >= start && address < start + size;
  });
}

/** Builds the views from `kubectl get nodeclaims,nodes,pods,podenis -A -o json` and the simulator's admin answers. */
export function buildSnapshot(
  list: z.infer<typeof KubeList>,
  cloud: { instances: CloudInstance[]; vSwitches: CloudVSwitch[] },
  opts: { apps: readonly string[]; at?: number },
): Snapshot {
  const claims: ClaimView[] = [];
  const nodes: NodeView[] = [];
  const pods: PodView[] = [];
  const enis = new Map<string, z.infer<typeof PodENIItem>>();
  for (const raw of list.items) {
    const eni = raw.kind === 'PodENI' ? PodENIItem.safeParse(raw).data : undefined;
    if (eni) enis.set(`${eni.metadata.namespace}/${eni.metadata.name}`, eni);
  }
  for (const raw of list.items) {
    if (raw.kind === 'NodeClaim') {
      const item = NodeClaimItem.safeParse(raw).data;
      if (!item) continue;
      const labels = item.metadata.labels ?? {};
      const price = Number(item.metadata.annotations?.[AnnotationPricePerHour]);
      const conditions = item.status?.conditions;
      const claim: ClaimView = {
        name: item.metadata.name,
        launched: isTrue(conditions, 'Launched'),
        registered: isTrue(conditions, 'Registered'),
        initialized: isTrue(conditions, 'Initialized'),
        deleting: item.metadata.deletionTimestamp !== undefined,
      };
      if (labels[LabelNodePool]) claim.nodePool = labels[LabelNodePool];
      if (labels[LabelInstanceType]) claim.instanceType = labels[LabelInstanceType];
      if (labels[LabelZone]) claim.zone = labels[LabelZone];
      if (labels[LabelCapacityType]) claim.capacityType = labels[LabelCapacityType];
      if (Number.isFinite(price) && item.metadata.annotations?.[AnnotationPricePerHour]) claim.pricePerHour = price;
      const instanceId = instanceIdOf(item.status?.providerID);
      if (instanceId) claim.instanceId = instanceId;
      if (item.status?.nodeName) claim.nodeName = item.status.nodeName;
      claims.push(claim);
    } else if (raw.kind === 'Node') {
      const item = NodeItem.safeParse(raw).data;
      if (!item) continue;
      const labels = item.metadata.labels ?? {};
      const node: NodeView = { name: item.metadata.name, ready: isTrue(item.status?.conditions, 'Ready') };
      const instanceId = instanceIdOf(item.spec?.providerID);
      if (instanceId) node.instanceId = instanceId;
      if (labels[LabelInstanceType]) node.instanceType = labels[LabelInstanceType];
      if (labels[LabelZone]) node.zone = labels[LabelZone];
      if (labels[LabelNodePool]) node.nodePool = labels[LabelNodePool];
      nodes.push(node);
    } else if (raw.kind === 'Pod') {
      const item = PodItem.safeParse(raw).data;
      if (!item) continue;
      const app = item.metadata.labels?.app ?? '';
      if (!opts.apps.includes(app)) continue;
      const namespace = item.metadata.namespace ?? 'default';
      const pod: PodView = {
        namespace,
        name: item.metadata.name,
        app,
        coreTrade: item.metadata.labels?.['app-type'] === 'core-trade',
        phase: item.status?.phase ?? 'Unknown',
        securityGroupIds: [],
        deleting: item.metadata.deletionTimestamp !== undefined,
      };
      if (item.spec?.nodeName) pod.nodeName = item.spec.nodeName;
      // The IPAM's record first (PodENI, named after the pod), else the CNI annotation it writes.
      const allocation = enis.get(`${namespace}/${item.metadata.name}`)?.spec?.allocations?.find((a) => a.ipv4);
      const ip = allocation?.ipv4 ?? item.metadata.annotations?.[AnnotationPodIPs]?.split(',')[0]?.trim();
      if (ip) {
        pod.ip = ip;
        const vSwitchId = allocation?.eni?.vSwitchID ?? vSwitchOfIp(ip, cloud.vSwitches)?.id;
        if (vSwitchId) pod.vSwitchId = vSwitchId;
        pod.securityGroupIds = allocation?.eni?.securityGroupIDs
          ?? (item.metadata.annotations?.[AnnotationPodSecurityGroups] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      }
      pods.push(pod);
    }
  }
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    at: opts.at ?? Date.now(),
    claims: claims.sort(byName),
    nodes: nodes.sort(byName),
    pods: pods.sort(byName),
    podEnis: enis.size,
    instances: cloud.instances,
    vSwitches: cloud.vSwitches,
  };
}

/** Hourly cost of the instances the NodeClaims launched (a claim being removed costs until its instance is gone). */
export function costPerHour(claims: readonly ClaimView[]): number {
  return claims.reduce((sum, c) => sum + (c.launched ? (c.pricePerHour ?? 0) : 0), 0);
}
