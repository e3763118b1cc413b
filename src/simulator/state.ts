// Read access to the simulated cloud for tests and the admin endpoint: plain snapshots (never
// the live records), per-action call counts, and a consistency check of the invariants a real
// cloud keeps (one owner per address, ENI and IP limits per instance type).
import type { Cloud } from './model/cloud.js';
import { exhaustionOwner } from './model/network.js';
import { capacityTypeOf, ipCountOf, type InstanceStatus } from './model/records.js';
import { addSecurityGroup, addVSwitch, type AddVSwitch } from './model/seed.js';
import type { CallStats } from './server/callStats.js';

export interface InstanceView {
  id: string;
  status: InstanceStatus;
  instanceType: string;
  zoneId: string;
  vSwitchId: string;
  primaryIp: string;
  capacityType: 'spot' | 'on-demand';
  imageId: string;
  securityGroupIds: string[];
  tags: Record<string, string>;
  userData?: string;
  releasing: boolean;
  terminationTime?: string;
}

export interface NetworkInterfaceView {
  id: string;
  type: 'Primary' | 'Secondary';
  status: string;
  instanceId?: string;
  vSwitchId: string;
  zoneId: string;
  primaryIp: string;
  secondaryIps: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
}

export interface VSwitchView {
  id: string;
  name: string;
  zoneId: string;
  vpcId: string;
  cidrBlock: string;
  capacity: number;
  availableIpAddressCount: number;
  tags: Record<string, string>;
}

export class SimulatorState {
  constructor(
    readonly cloud: Cloud,
    private readonly stats: CallStats,
  ) {}

  get region(): string {
    return this.cloud.regionId;
  }

  instances(): InstanceView[] {
    return [...this.cloud.instances.values()].map((i) => {
      const view: InstanceView = {
        id: i.id,
        status: i.status,
        instanceType: i.spec.instanceTypeId,
        zoneId: i.zoneId,
        vSwitchId: i.vSwitchId,
        primaryIp: i.primaryIp,
        capacityType: capacityTypeOf(i),
        imageId: i.imageId,
        securityGroupIds: [...i.securityGroupIds],
        tags: Object.fromEntries(i.tags),
        releasing: i.releasing,
      };
      if (i.userData !== undefined) view.userData = i.userData;
      if (i.interruption) view.terminationTime = i.interruption.terminationTime;
      return view;
    });
  }

  instance(id: string): InstanceView | undefined {
    return this.instances().find((i) => i.id === id);
  }

  networkInterfaces(): NetworkInterfaceView[] {
    return [...this.cloud.networkInterfaces.values()].map((e) => {
      const view: NetworkInterfaceView = {
        id: e.id,
        type: e.type,
        status: e.status,
        vSwitchId: e.vSwitchId,
        zoneId: e.zoneId,
        primaryIp: e.primaryIp,
        secondaryIps: [...e.secondaryIps],
        securityGroupIds: [...e.securityGroupIds],
        tags: Object.fromEntries(e.tags),
      };
      if (e.instanceId !== undefined) view.instanceId = e.instanceId;
      return view;
    });
  }

  vSwitches(): VSwitchView[] {
    return [...this.cloud.vSwitches.values()].map((v) => ({
      id: v.id,
      name: v.name,
      zoneId: v.zoneId,
      vpcId: v.vpcId,
      cidrBlock: v.cidrBlock,
      capacity: v.pool.capacity,
      availableIpAddressCount: v.pool.available,
      tags: Object.fromEntries(v.tags),
    }));
  }

  vSwitchByName(name: string): VSwitchView | undefined {
    return this.vSwitches().find((v) => v.name === name);
  }

  securityGroups(): { id: string; name: string; vpcId: string; tags: Record<string, string> }[] {
    return [...this.cloud.securityGroups.values()].map((s) => ({ id: s.id, name: s.name, vpcId: s.vpcId, tags: Object.fromEntries(s.tags) }));
  }

  images(): { id: string; name: string; family: string; version: string; architecture: string; creationTime: string }[] {
    return [...this.cloud.images.values()].map((i) => ({
      id: i.id,
      name: i.name,
      family: i.family,
      version: i.version,
      architecture: i.architecture,
      creationTime: i.creationTime,
    }));
  }

  /** Adds a vSwitch to the (first, unless vpcId) VPC; returns its id. */
  addVSwitch(v: AddVSwitch): string {
    return addVSwitch(this.cloud, v);
  }

  /** Adds a security group to the (first, unless vpcId) VPC; returns its id. */
  addSecurityGroup(s: { name: string; vpcId?: string; tags?: Record<string, string> }): string {
    return addSecurityGroup(this.cloud, s);
  }

  /** Calls per action, with outcomes. */
  calls() {
    return this.stats.snapshot();
  }

  callCount(action: string): number {
    return this.stats.count(action);
  }

  resetCalls(): void {
    this.stats.reset();
  }

  /** Violations of the cloud's invariants; empty when all hold. */
  checkConsistency(): string[] {
    const problems: string[] = [];
    const holders = new Map<string, string[]>();
    for (const eni of this.cloud.networkInterfaces.values()) {
      const pool = this.cloud.vSwitches.get(eni.vSwitchId)?.pool;
      for (const ip of [eni.primaryIp, ...eni.secondaryIps]) {
        holders.set(ip, [...(holders.get(ip) ?? []), eni.id]);
        if (pool?.ownerOf(ip) !== eni.id) problems.push(`${ip} is on ${eni.id} but the vSwitch gives it to ${pool?.ownerOf(ip) ?? 'nobody'}`);
      }
      if (eni.instanceId !== undefined) {
        const instance = this.cloud.instances.get(eni.instanceId);
        if (!instance) problems.push(`${eni.id} is attached to missing instance ${eni.instanceId}`);
        else if (ipCountOf(eni) > instance.spec.eniPrivateIpAddressQuantity) {
          problems.push(`${eni.id} has ${ipCountOf(eni)} IPs, over ${instance.spec.instanceTypeId}'s ${instance.spec.eniPrivateIpAddressQuantity}`);
        }
      }
    }
    for (const [ip, enis] of holders) if (enis.length > 1) problems.push(`${ip} is on ${enis.join(' and ')}`);
    for (const vsw of this.cloud.vSwitches.values()) {
      for (const { ip, owner } of vsw.pool.allocations()) {
        if (owner === exhaustionOwner) continue;
        if (!holders.get(ip)?.includes(owner)) problems.push(`${ip} in ${vsw.id} is held by ${owner}, which does not list it`);
      }
    }
    for (const instance of this.cloud.instances.values()) {
      const count = this.cloud.interfacesOf(instance.id).length;
      if (count > instance.spec.eniQuantity) problems.push(`${instance.id} has ${count} ENIs, over ${instance.spec.eniQuantity}`);
      if (!this.cloud.networkInterfaces.has(instance.primaryEniId)) problems.push(`${instance.id} lost its primary ENI`);
    }
    return problems;
  }
}
