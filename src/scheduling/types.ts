// The scheduling core's input and output: plain data, shaped like the Kubernetes API where it can be
// so that a controller adapts objects with little more than copying fields. Resource quantities are
// numbers in canonical units (see ResourceList); `resourcesFromQuantities` converts API strings.

/**
 * Resource amounts by name. Units: `cpu` in millicores, `memory` and `ephemeral-storage` in bytes,
 * `pods` and extended resources (`nvidia.com/gpu`, ...) as counts.
 */
export type ResourceList = Readonly<Record<string, number>>;

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values?: readonly string[];
}

/** A NodePool requirement: at least `minValues` distinct values must remain among a claim's instance types. */
export interface NodeSelectorRequirementWithMinValues extends NodeSelectorRequirement {
  minValues?: number;
}

export interface NodeSelectorTerm {
  matchExpressions?: readonly NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  /** Empty with no namespaceSelector: the pod's own namespace. */
  namespaces?: readonly string[];
  /** Matched against SchedulingInput.namespaceLabels; `{}` selects every namespace. */
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinityRules {
  requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: readonly NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
  };
  podAffinity?: PodAffinityRules;
  podAntiAffinity?: PodAffinityRules;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  /** Empty or absent tolerates every effect. */
  effect?: TaintEffect | '';
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
  minDomains?: number;
  /** Default Honor: only nodes matching the pod's node selector and required affinity count. */
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  /** Label keys whose values on the incoming pod are ANDed into the selector. */
  matchLabelKeys?: readonly string[];
}

export interface ContainerPort {
  containerPort: number;
  hostPort?: number;
  protocol?: string;
  hostIP?: string;
}

export interface ContainerLite {
  name?: string;
  requests?: ResourceList;
  /** A limit without a request counts as the request, as the API server defaults it. */
  limits?: ResourceList;
  ports?: readonly ContainerPort[];
  /** On an init container, `Always` makes it a sidecar that keeps running beside the app containers. */
  restartPolicy?: 'Always';
}

/**
 * How a pod gets its IP under Terway. ENIIP: a secondary IP of a shared ENI; ENI: an exclusive
 * ENI; Trunk: a member ENI of the node's trunk ENI. Host-network pods consume none of these.
 */
export type EniType = 'ENIIP' | 'ENI' | 'Trunk';

export interface PodNetworkDemand {
  /** The PodNetworking that selects this pod (resolved by the networking controller). */
  podNetworking?: string;
  /** Defaults to SchedulingInput.networking.defaultEniType, which defaults to ENIIP. */
  eniType?: EniType;
}

/** The parts of a Pod the scheduler reads. Field names follow the Kubernetes API. */
export interface PodSpecLite {
  uid: string;
  name: string;
  namespace: string;
  labels?: Readonly<Record<string, string>>;
  containers: readonly ContainerLite[];
  initContainers?: readonly ContainerLite[];
  overhead?: ResourceList;
  nodeSelector?: Readonly<Record<string, string>>;
  affinity?: Affinity;
  tolerations?: readonly Toleration[];
  topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  hostNetwork?: boolean;
  network?: PodNetworkDemand;
}

/** ENI facts of an instance type, as DescribeInstanceTypes reports them. */
export interface EniSpec {
  eniQuantity: number;
  eniPrivateIpAddressQuantity: number;
  /** ENIs including trunk members; undefined or null when unknown (then there is no trunking). */
  eniTotalQuantity?: number | null;
  eniTrunkSupported?: boolean | null;
}

export type CapacityType = 'spot' | 'on-demand';

export interface Offering {
  zone: string;
  capacityType: CapacityType;
  /** Price per hour (CNY). */
  price: number;
  available: boolean;
}

export interface InstanceType {
  name: string;
  /** Single-valued labels of nodes of this type (instance-type, arch, os, family, cpu, ...). Zone and capacity type come from offerings. */
  labels: Readonly<Record<string, string>>;
  capacity: ResourceList;
  /** capacity minus kube-reserved, system-reserved and eviction thresholds (see computeAllocatable). */
  allocatable: ResourceList;
  offerings: readonly Offering[];
  /** When present, pods per node are also bounded by the ENI model (see eni-density.ts). */
  eni?: EniSpec;
}

export interface NodePoolTemplate {
  name: string;
  /** Higher weight is tried first; equal weights by name. */
  weight?: number;
  requirements?: readonly NodeSelectorRequirementWithMinValues[];
  labels?: Readonly<Record<string, string>>;
  taints?: readonly Taint[];
  /** Taints present only until the node is initialized: pods need not tolerate them. */
  startupTaints?: readonly Taint[];
  /** Upper bounds on the summed capacity of the pool's nodes (cpu, memory, pods, ...). */
  limits?: ResourceList;
  /** Capacity already held by this pool's nodes and in-flight claims, counted against limits. */
  usage?: ResourceList;
  /** The instance types its node class can launch; defaults to SchedulingInput.instanceTypes. */
  instanceTypes?: readonly InstanceType[];
}

/** A Node, or a NodeClaim already launched but not yet a Node (then `initialized: false`). */
export interface ExistingNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  taints?: readonly Taint[];
  /** Ignored while the node is not initialized. */
  startupTaints?: readonly Taint[];
  allocatable: ResourceList;
  /** Pods bound (or nominated) to it, including DaemonSet pods. */
  pods: readonly PodSpecLite[];
  /** Defaults to true. Uninitialized nodes ignore startup taints and the not-ready/unregistered taints. */
  initialized?: boolean;
  /** Being deleted or disrupted: pods are not placed here (its pods still count for topology). */
  markedForDeletion?: boolean;
  nodePool?: string;
  eni?: EniSpec;
}

export interface VSwitchHeadroom {
  id: string;
  zone: string;
  /** Free IPv4 addresses now. */
  freeIPs: number;
}

export interface PodNetworkingLite {
  name: string;
  vSwitchIds: readonly string[];
}

export interface NetworkingInput {
  /** The cluster's default pod IP mode; ENIIP when absent. */
  defaultEniType?: EniType;
  vSwitches?: readonly VSwitchHeadroom[];
  podNetworkings?: readonly PodNetworkingLite[];
}

export interface SchedulingInput {
  pods: readonly PodSpecLite[];
  nodes?: readonly ExistingNode[];
  /** Launched NodeClaims with no Node yet, described like nodes (labels from their resolved requirements). */
  inFlightClaims?: readonly ExistingNode[];
  nodePools: readonly NodePoolTemplate[];
  instanceTypes?: readonly InstanceType[];
  /** DaemonSet pod templates: each new node runs those that tolerate it and match its requirements. */
  daemonSets?: readonly PodSpecLite[];
  networking?: NetworkingInput;
  /** Namespace labels, for pod affinity terms with a namespaceSelector. */
  namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface SchedulingOptions {
  /** Respect (default): preferences are tried first and relaxed one at a time. Ignore: drop them up front. */
  preferencePolicy?: 'Respect' | 'Ignore';
  /**
   * A new node accepts another pod only while its cheapest launch price rises by at most this
   * multiple of what the pod would cost on a node of its own. Default 1; Infinity grows nodes
   * toward the largest type as upstream Karpenter does.
   */
  growthCostRatio?: number;
  /** Options listed per new claim, cheapest first (more when minValues needs them). Default 60, as Karpenter launches with. */
  maxInstanceTypeOptions?: number;
  /**
   * Greedy passes of the re-pack of new claims that hold only unconstrained pods (no node
   * selection, affinity, spread, host ports or PodNetworking), kept when cheaper. Default 12; 0 turns it off.
   */
  repackRounds?: number;
}

export interface InstanceTypeOption {
  name: string;
  /** Available offerings compatible with the claim, cheapest first. */
  offerings: Offering[];
  /** The cheapest of those offerings. */
  price: number;
}

export interface NetworkReservation {
  podNetworking: string;
  zone: string;
  vSwitchId: string;
}

export interface NewClaim {
  nodePool: string;
  /** The claim's requirements (the pool's, narrowed by its pods), for NodeClaim.spec.requirements. */
  requirements: NodeSelectorRequirementWithMinValues[];
  /** Pod UIDs, in placement order. */
  pods: string[];
  /** Instance types that fit all its pods and requirements, cheapest first (see maxInstanceTypeOptions). */
  instanceTypeOptions: InstanceTypeOption[];
  /** Summed requests of its pods plus DaemonSet overhead. */
  requests: Record<string, number>;
  /** Price of the cheapest option. */
  price: number;
  taints: Taint[];
  startupTaints: Taint[];
  labels: Record<string, string>;
}

export interface SchedulingResult {
  /** Pod UID to the name of the existing node (or in-flight claim) it fits on. */
  existingPlacements: Map<string, string>;
  newClaims: NewClaim[];
  /** Pod UID to a reason a person can read. */
  unschedulable: Map<string, string>;
  /** For pods of a PodNetworking: the zone and vSwitch whose IP headroom was reserved. */
  networkReservations: Map<string, NetworkReservation>;
}
