// The default resources of a fresh simulator: the "local" cluster's VPC, node, pod and core-trade
// vSwitches, two security groups and the public images. README.md documents the layout.
import type { ResolvedSimulatorOptions } from '../options.js';
import { AddressPool, intToIp, parseCidr } from './addressPool.js';
import type { Cloud } from './cloud.js';
import { defaultImageFamilies } from './images.js';
import { cidrWithin } from './network.js';
import type { Tags } from './tags.js';
import { ecsSecondTime } from './time.js';

export const discoveryTagKey = 'karpenter.sh/discovery';

export interface AddVSwitch {
  zoneId: string;
  cidrBlock: string;
  name: string;
  tags?: Record<string, string>;
  vpcId?: string;
  description?: string;
}

export function addVpc(cloud: Cloud, v: { name: string; cidrBlock: string; tags?: Record<string, string> }): string {
  const id = cloud.ids.next('vpc');
  cloud.vpcs.set(id, {
    id,
    regionId: cloud.regionId,
    name: v.name,
    cidrBlock: v.cidrBlock,
    description: '',
    tags: new Map(Object.entries(v.tags ?? {})),
    creationTime: ecsSecondTime(cloud.now()),
    vRouterId: cloud.ids.next('vrt'),
  });
  return id;
}

export function addVSwitch(cloud: Cloud, v: AddVSwitch): string {
  const vpc = v.vpcId ? cloud.vpcs.get(v.vpcId) : [...cloud.vpcs.values()][0];
  if (!vpc) throw new Error('add a VPC before its vSwitches');
  if (!cloud.zones.includes(v.zoneId)) throw new Error(`zone ${v.zoneId} is not in region ${cloud.regionId}`);
  if (!cidrWithin(v.cidrBlock, vpc.cidrBlock)) throw new Error(`vSwitch CIDR ${v.cidrBlock} is outside VPC ${vpc.cidrBlock}`);
  const id = cloud.ids.next('vsw');
  cloud.vSwitches.set(id, {
    id,
    vpcId: vpc.id,
    regionId: cloud.regionId,
    zoneId: v.zoneId,
    name: v.name,
    description: v.description ?? '',
    cidrBlock: v.cidrBlock,
    tags: new Map(Object.entries(v.tags ?? {})),
    creationTime: ecsSecondTime(cloud.now()),
    pool: new AddressPool(v.cidrBlock),
  });
  return id;
}

export function addSecurityGroup(cloud: Cloud, s: { name: string; vpcId?: string; tags?: Record<string, string> }): string {
  const vpc = s.vpcId ? cloud.vpcs.get(s.vpcId) : [...cloud.vpcs.values()][0];
  if (!vpc) throw new Error('add a VPC before its security groups');
  const id = cloud.ids.next('sg');
  cloud.securityGroups.set(id, {
    id,
    regionId: cloud.regionId,
    vpcId: vpc.id,
    name: s.name,
    description: '',
    type: 'normal',
    tags: new Map(Object.entries(s.tags ?? {})),
    creationTime: ecsSecondTime(cloud.now()),
  });
  return id;
}

export function addPublicImages(cloud: Cloud, versions: readonly string[]): void {
  for (const family of defaultImageFamilies) {
    for (const version of [...versions].sort()) {
      const id = cloud.ids.next('m');
      const date = `${version.slice(0, 4)}-${version.slice(4, 6)}-${version.slice(6, 8)}T08:00:00Z`;
      cloud.images.set(id, {
        id,
        name: `${family.namePrefix}_${version}`,
        family: family.family,
        version,
        architecture: family.architecture,
        osName: family.osName,
        osNameEn: family.osNameEn,
        platform: family.platform,
        description: `${family.osNameEn} (${version})`,
        sizeGiB: family.sizeGiB,
        creationTime: date,
        ownerAlias: 'system',
        tags: new Map() as Tags,
      });
    }
  }
}

export function seedDefaultResources(cloud: Cloud, options: ResolvedSimulatorOptions): void {
  const net = options.network;
  const discovery = { [discoveryTagKey]: options.clusterName };
  const vpcId = addVpc(cloud, { name: `${options.clusterName}-vpc`, cidrBlock: net.vpcCidr, tags: discovery });
  const zones = net.zones ?? [...cloud.zones];
  const vpcBase = parseCidr(net.vpcCidr).base;
  const slash16 = 65_536;
  // Node vSwitches at the start of the VPC, pod vSwitch i in the (16+i)-th /16, core-trade in the 100th /16.
  zones.forEach((zone, i) => {
    addVSwitch(cloud, {
      vpcId,
      zoneId: zone,
      name: `node-vsw-${zone}`,
      cidrBlock: `${intToIp(vpcBase + i * 2 ** (32 - net.nodeVSwitchPrefixLength))}/${net.nodeVSwitchPrefixLength}`,
      tags: discovery,
    });
    addVSwitch(cloud, {
      vpcId,
      zoneId: zone,
      name: `pod-vsw-${zone}`,
      cidrBlock: `${intToIp(vpcBase + (16 + i) * slash16)}/${net.podVSwitchPrefixLength}`,
      tags: { terway: 'pod' },
    });
  });
  const coreZones = net.coreZones ?? zones.slice(0, 2);
  coreZones.forEach((zone, i) => {
    addVSwitch(cloud, {
      vpcId,
      zoneId: zone,
      name: `core-trade-${String.fromCharCode(97 + i)}`,
      cidrBlock: `${intToIp(vpcBase + 100 * slash16 + i * 2 ** (32 - net.coreVSwitchPrefixLength))}/${net.coreVSwitchPrefixLength}`,
      tags: { network: 'core-trade' },
    });
  });
  addSecurityGroup(cloud, { vpcId, name: 'sg-default', tags: discovery });
  addSecurityGroup(cloud, { vpcId, name: 'sg-core-trade', tags: { network: 'core-trade' } });
  addPublicImages(cloud, options.imageVersions);
}
