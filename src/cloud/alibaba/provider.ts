// The CloudProvider for Alibaba Cloud ECS and VPC, on the unchanged @alicloud SDK clients.
// It works the same against the real cloud and the simulator: only the endpoints differ.
import { cloudProviderConfigSchema, type CloudProviderConfig, type CloudProviderConfigInput } from '../config.js';
import type {
  CloudProvider,
  CreateNetworkInterfaceRequest,
  Image,
  ImageFilter,
  Instance,
  InstanceTypeInfo,
  LaunchRequest,
  NetworkInterface,
  NetworkInterfaceFilter,
  Offering,
  ResourceFilter,
  SecurityGroup,
  VSwitch,
} from '../types.js';
import { Catalog } from './catalog.js';
import { createContext, type ProviderDeps } from './context.js';
import { Instances } from './instances.js';
import { NetworkInterfaces } from './network-interfaces.js';

export type { ProviderDeps };

export class AlibabaCloudProvider implements CloudProvider {
  readonly region: string;
  readonly config: CloudProviderConfig;
  private readonly catalog: Catalog;
  private readonly instances: Instances;
  private readonly enis: NetworkInterfaces;

  constructor(config: CloudProviderConfigInput, deps: ProviderDeps = {}) {
    this.config = cloudProviderConfigSchema.parse(config);
    const ctx = createContext(this.config, deps);
    this.region = this.config.region;
    this.catalog = new Catalog(ctx);
    this.instances = new Instances(ctx);
    this.enis = new NetworkInterfaces(ctx);
  }

  listZones(): Promise<string[]> {
    return this.catalog.listZones();
  }

  listInstanceTypes(): Promise<InstanceTypeInfo[]> {
    return this.catalog.listInstanceTypes();
  }

  listOfferings(): Promise<Offering[]> {
    return this.catalog.listOfferings();
  }

  listVSwitches(filter: ResourceFilter): Promise<VSwitch[]> {
    return this.catalog.listVSwitches(filter);
  }

  listSecurityGroups(filter: ResourceFilter): Promise<SecurityGroup[]> {
    return this.catalog.listSecurityGroups(filter);
  }

  listImages(filter: ImageFilter): Promise<Image[]> {
    return this.catalog.listImages(filter);
  }

  createInstance(request: LaunchRequest): Promise<Instance> {
    return this.instances.create(request);
  }

  getInstance(instanceId: string): Promise<Instance | undefined> {
    return this.instances.get(instanceId);
  }

  listInstances(tags: Record<string, string>): Promise<Instance[]> {
    return this.instances.list(tags);
  }

  deleteInstance(instanceId: string): Promise<void> {
    return this.instances.delete(instanceId);
  }

  tagInstance(instanceId: string, tags: Record<string, string>): Promise<void> {
    return this.instances.tag(instanceId, tags);
  }

  createNetworkInterface(request: CreateNetworkInterfaceRequest): Promise<NetworkInterface> {
    return this.enis.create(request);
  }

  attachNetworkInterface(eniId: string, instanceId: string): Promise<void> {
    return this.enis.attach(eniId, instanceId);
  }

  detachNetworkInterface(eniId: string, instanceId: string): Promise<void> {
    return this.enis.detach(eniId, instanceId);
  }

  deleteNetworkInterface(eniId: string): Promise<void> {
    return this.enis.delete(eniId);
  }

  getNetworkInterface(eniId: string): Promise<NetworkInterface | undefined> {
    return this.enis.get(eniId);
  }

  listNetworkInterfaces(filter: NetworkInterfaceFilter): Promise<NetworkInterface[]> {
    return this.enis.list(filter);
  }

  assignPrivateIpAddresses(eniId: string, count: number): Promise<string[]> {
    return this.enis.assignPrivateIps(eniId, count);
  }

  unassignPrivateIpAddresses(eniId: string, ips: string[]): Promise<void> {
    return this.enis.unassignPrivateIps(eniId, ips);
  }
}
