// Well-known labels, annotations, taints and tags, in one place. Names match upstream Karpenter
// and Terway so that users' selectors, affinities and tooling keep working after migration.

// Kubernetes
export const LabelHostname = 'kubernetes.io/hostname';
export const LabelArch = 'kubernetes.io/arch';
export const LabelOS = 'kubernetes.io/os';
export const LabelInstanceType = 'node.kubernetes.io/instance-type';
export const LabelZone = 'topology.kubernetes.io/zone';
export const LabelRegion = 'topology.kubernetes.io/region';

// Karpenter core (karpenter.sh)
export const KarpenterGroup = 'karpenter.sh';
export const LabelNodePool = 'karpenter.sh/nodepool';
export const LabelCapacityType = 'karpenter.sh/capacity-type';
export const LabelNodeInitialized = 'karpenter.sh/initialized';
export const LabelNodeRegistered = 'karpenter.sh/registered';
export const AnnotationDoNotDisrupt = 'karpenter.sh/do-not-disrupt';
export const AnnotationNodePoolHash = 'karpenter.sh/nodepool-hash';
export const AnnotationNodePoolHashVersion = 'karpenter.sh/nodepool-hash-version';
export const AnnotationNodeClaimMinValuesRelaxed = 'karpenter.sh/nodeclaim-min-values-relaxed';
export const TaintDisrupted = 'karpenter.sh/disrupted';
/** On a Node being drained: when its terminationGracePeriod ends and remaining pods are deleted (upstream's name). */
export const AnnotationNodeClaimTerminationTimestamp = 'karpenter.sh/nodeclaim-termination-timestamp';
export const TaintUnregistered = 'karpenter.sh/unregistered';
export const FinalizerTermination = 'karpenter.sh/termination';
export const CapacityTypeSpot = 'spot';
export const CapacityTypeOnDemand = 'on-demand';

// Alibaba Cloud provider (karpenter.k8s.alibabacloud)
export const ProviderGroup = 'karpenter.k8s.alibabacloud';
export const LabelInstanceFamily = 'karpenter.k8s.alibabacloud/instance-family';
export const LabelInstanceCategory = 'karpenter.k8s.alibabacloud/instance-category';
export const LabelInstanceGeneration = 'karpenter.k8s.alibabacloud/instance-generation';
export const LabelInstanceCPU = 'karpenter.k8s.alibabacloud/instance-cpu';
export const LabelInstanceMemory = 'karpenter.k8s.alibabacloud/instance-memory';
export const LabelInstanceGPUCount = 'karpenter.k8s.alibabacloud/instance-gpu-count';
export const LabelInstanceGPUName = 'karpenter.k8s.alibabacloud/instance-gpu-name';
export const LabelInstanceGPUManufacturer = 'karpenter.k8s.alibabacloud/instance-gpu-manufacturer';
export const LabelInstanceGPUMemory = 'karpenter.k8s.alibabacloud/instance-gpu-memory';
export const LabelInstanceENIQuantity = 'karpenter.k8s.alibabacloud/instance-eni-quantity';
export const AnnotationECSNodeClassHash = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash';
export const AnnotationECSNodeClassHashVersion = 'karpenter.k8s.alibabacloud/ecsnodeclass-hash-version';
export const FinalizerNodeClass = 'karpenter.k8s.alibabacloud/termination';
/** On a NodeClaim: the hourly price (CNY) of the offering it launched, for cost reporting. */
export const AnnotationPricePerHour = 'karpenter.k8s.alibabacloud/price-per-hour';

/** Labels the provisioner understands in requirements; anything else must be set on the template. */
export const WellKnownLabels: readonly string[] = [
  LabelNodePool, LabelCapacityType, LabelInstanceType, LabelZone, LabelRegion, LabelArch, LabelOS,
  LabelHostname, LabelInstanceFamily, LabelInstanceCategory, LabelInstanceGeneration, LabelInstanceCPU,
  LabelInstanceMemory, LabelInstanceGPUCount, LabelInstanceGPUName, LabelInstanceGPUManufacturer,
  LabelInstanceGPUMemory, LabelInstanceENIQuantity,
];

/** Label domains a NodePool may not set on its nodes (reserved by Kubernetes and Karpenter). */
export const RestrictedLabelDomains: readonly string[] = ['kubernetes.io', 'k8s.io', 'karpenter.sh'];

// Terway (network.alibabacloud.com and k8s.aliyun.com)
export const NetworkingGroup = 'network.alibabacloud.com';
/** Terway's pod annotations: the CNI contract on the node reads the allocation from here. */
export const AnnotationPodNetworking = 'k8s.aliyun.com/pod-networking';
export const AnnotationPodENI = 'k8s.aliyun.com/pod-eni';
export const AnnotationPodIPs = 'k8s.aliyun.com/pod-ips';
export const AnnotationPodNetworks = 'k8s.aliyun.com/pod-networks';
export const AnnotationPodSecurityGroups = 'k8s.aliyun.com/security-group';
export const AnnotationPodVSwitches = 'k8s.aliyun.com/vswitches';
export const AnnotationPodFixedIP = 'k8s.aliyun.com/pod-with-eip'; // reserved; fixed IPs come from PodNetworking
export const AnnotationNodeMinPoolSize = 'k8s.aliyun.com/min-pool-size';
export const AnnotationNodeMaxPoolSize = 'k8s.aliyun.com/max-pool-size';
/**
 * On a NodeClaim, written by the provisioner: the pods it planned onto the node, per network,
 * as JSON {"<PodNetworking name, or '' for the default network>": count}. The IPAM warms those
 * (vSwitch, security group) pools as soon as the instance is Running, before the pods land.
 */
export const AnnotationPlannedPodNetworks = 'karpenter.k8s.alibabacloud/planned-pod-networks';
export const ResourceMemberENI = 'aliyun/member-eni';
export const ResourceENI = 'aliyun/eni';

// Cloud tags: every resource the operator creates carries them, so GC can find crash leftovers.
export const TagCluster = 'ack.aliyun.com';
export const TagClusterKarpenter = 'karpenter.k8s.alibabacloud/cluster';
export const TagNodePool = 'karpenter.sh/nodepool';
export const TagNodeClaim = 'karpenter.k8s.alibabacloud/nodeclaim';
export const TagManagedBy = 'karpenter.k8s.alibabacloud/managed-by';
/** The value of TagManagedBy on every instance this operator launches. */
export const TagManagedByValue = 'ack-node-operator';
export const TagENICreator = 'creator';
export const TagENICreatorValue = 'terway';
export const TagENINode = 'node-name';
export const TagENIInstance = 'instance-id';
/** The launch's ClientToken (the NodeClaim UID) on the instance: a relaunch after a crash finds it by this. */
export const TagLaunchToken = 'karpenter.k8s.alibabacloud/launch-token';
/** Tag keys users may not set in ECSNodeClass.spec.tags because the operator owns them. */
export const ReservedTagKeys: readonly string[] = [TagCluster, TagClusterKarpenter, TagNodePool, TagNodeClaim, TagManagedBy, TagLaunchToken];

// ACK's spot interruption signal on a Node (condition type), raised by the simulator as ACK does.
export const ConditionSpotInterruption = 'InstanceTerminating';
