// The one interface through which the operator talks to the cloud. Controllers and the IPAM call
// this; only src/cloud/alibaba/ knows OpenAPI action names, and only the simulator answers them
// in tests. Everything here is plain data so the scheduling core and the IPAM engine can be
// driven by fakes in unit tests and benchmarks.

import type { FailedCandidate } from './errors.js';

export type CapacityType = 'spot' | 'on-demand';
export type Architecture = 'amd64' | 'arm64';

/** One ECS instance type, as DescribeInstanceTypes reports it, in Kubernetes terms. */
export interface InstanceTypeInfo {
  name: string; // ecs.g7.xlarge
  family: string; // ecs.g7
  /** general-purpose, compute-optimized, memory-optimized, universal, shared, gpu, ... */
  category: string;
  generation: number; // 7 for ecs.g7
  architecture: Architecture;
  vcpu: number;
  memoryMiB: number;
  gpuCount: number;
  gpuSpec?: string;
  eniQuantity: number;
  eniPrivateIpAddressQuantity: number;
  eniIpv6AddressQuantity: number;
  /** Total ENIs including trunk members; undefined when the API did not say. */
  eniTotalQuantity?: number;
  eniTrunkSupported: boolean;
  baselineBandwidthGbps?: number;
}

/** Where and how an instance type can be bought, and for how much (CNY per hour). */
export interface Offering {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  pricePerHour: number;
  available: boolean;
}

export interface VSwitch {
  id: string;
  vpcId: string;
  zone: string;
  cidrBlock: string;
  availableIpAddressCount: number;
  name: string;
  tags: Record<string, string>;
}

export interface SecurityGroup {
  id: string;
  vpcId: string;
  name: string;
  tags: Record<string, string>;
}

export interface Image {
  id: string;
  name: string;
  /** ContainerOS, AlibabaCloudLinux3, ... as used by imageSelectorTerms aliases. */
  family: string;
  version: string;
  architecture: Architecture;
  creationTime: string; // RFC 3339
}

/** A filter for Describe* calls; fields combine with AND, values within ids with OR. */
export interface ResourceFilter {
  ids?: string[];
  names?: string[];
  tags?: Record<string, string>; // a value of '*' matches any value of that key
  zone?: string;
}

export interface ImageFilter {
  ids?: string[];
  /** Alias family, e.g. ContainerOS; version may be 'latest' or a concrete version. */
  family?: string;
  version?: string;
  architecture?: Architecture;
}

export interface DiskSpec {
  category: string; // cloud_essd, cloud_auto, ...
  sizeGiB: number;
  performanceLevel?: string;
}

/** One acceptable (type, zone, capacity) choice of a launch, cheapest first. */
export interface LaunchCandidate {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  vSwitchId: string;
  /** The most the operator will pay per hour for spot capacity of this candidate. */
  maxSpotPrice?: number;
}

export interface LaunchRequest {
  /** Idempotency token derived from the owning object (the NodeClaim UID): a retry never launches twice. */
  clientToken: string;
  /** Used as the instance and host name. */
  name: string;
  candidates: LaunchCandidate[];
  imageId: string;
  securityGroupIds: string[];
  systemDisk?: DiskSpec;
  dataDisks?: DiskSpec[];
  /** Base64-free plain text; the provider encodes it. See docs on the node bootstrap contract. */
  userData: string;
  tags: Record<string, string>;
  resourceGroupId?: string;
}

export type InstanceState = 'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Deleted';

export interface Instance {
  id: string;
  /** <regionId>.<instanceId>, the Node's spec.providerID. */
  providerID: string;
  name: string;
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  state: InstanceState;
  imageId: string;
  vSwitchId: string;
  privateIpAddress?: string;
  securityGroupIds: string[];
  tags: Record<string, string>;
  creationTime: string; // RFC 3339
  /** Price per hour the instance was launched at, when known. */
  pricePerHour?: number;
  /**
   * Only on createInstance's answer: the candidates tried before this one launched that were
   * refused for capacity (NoStock, no IP), so the caller can mark those offerings unavailable.
   */
  launchFailures?: FailedCandidate[];
}

export type NetworkInterfaceStatus = 'Available' | 'Attaching' | 'InUse' | 'Detaching' | 'Deleting';

export interface NetworkInterface {
  id: string;
  status: NetworkInterfaceStatus;
  type: 'Primary' | 'Secondary';
  instanceId?: string;
  vSwitchId: string;
  zone: string;
  securityGroupIds: string[];
  macAddress: string;
  primaryIpAddress: string;
  /** Secondary private IPs, without the primary. */
  secondaryIpAddresses: string[];
  tags: Record<string, string>;
  creationTime: string;
}

export interface CreateNetworkInterfaceRequest {
  clientToken: string;
  vSwitchId: string;
  securityGroupIds: string[];
  /** Secondary IPs to assign at creation, at most 10 (the API's limit per call). */
  secondaryIpCount: number;
  tags: Record<string, string>;
  description?: string;
}

export interface NetworkInterfaceFilter {
  ids?: string[];
  instanceId?: string;
  vSwitchId?: string;
  tags?: Record<string, string>;
  status?: NetworkInterfaceStatus;
}

/**
 * The cloud, as the operator needs it. Describe calls page internally and return everything.
 * Errors are thrown as CloudError (see errors.ts), classified so callers never parse codes.
 */
export interface CloudProvider {
  readonly region: string;

  // Catalog
  listZones(): Promise<string[]>;
  listInstanceTypes(): Promise<InstanceTypeInfo[]>;
  /** Every (type, zone, capacity type) the region sells, with availability and current price. */
  listOfferings(): Promise<Offering[]>;
  listVSwitches(filter: ResourceFilter): Promise<VSwitch[]>;
  listSecurityGroups(filter: ResourceFilter): Promise<SecurityGroup[]>;
  listImages(filter: ImageFilter): Promise<Image[]>;

  // Instances
  /**
   * Launches one instance from the first candidate that has capacity. Throws CloudError with
   * kind 'InsufficientCapacity' (and the candidates that failed in `details.failedCandidates`)
   * when none has.
   */
  createInstance(request: LaunchRequest): Promise<Instance>;
  getInstance(instanceId: string): Promise<Instance | undefined>;
  listInstances(tags: Record<string, string>): Promise<Instance[]>;
  /** Idempotent: deleting an instance that is already gone succeeds. */
  deleteInstance(instanceId: string): Promise<void>;
  tagInstance(instanceId: string, tags: Record<string, string>): Promise<void>;

  // ENIs and IPs
  createNetworkInterface(request: CreateNetworkInterfaceRequest): Promise<NetworkInterface>;
  attachNetworkInterface(eniId: string, instanceId: string): Promise<void>;
  detachNetworkInterface(eniId: string, instanceId: string): Promise<void>;
  /** Idempotent: deleting an ENI that is already gone succeeds. The ENI must be Available. */
  deleteNetworkInterface(eniId: string): Promise<void>;
  getNetworkInterface(eniId: string): Promise<NetworkInterface | undefined>;
  listNetworkInterfaces(filter: NetworkInterfaceFilter): Promise<NetworkInterface[]>;
  /** Assigns `count` (at most 10) new secondary IPs and returns them. */
  assignPrivateIpAddresses(eniId: string, count: number): Promise<string[]>;
  unassignPrivateIpAddresses(eniId: string, ips: string[]): Promise<void>;
}
