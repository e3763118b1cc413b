// Validated OpenAPI models to the provider contract's plain data, and the small encodings the
// API wants for filters.
import type { CapacityType, Instance, InstanceState, NetworkInterface } from '../types.js';
import type { InstanceModel, NetworkInterfaceModel } from './schemas.js';

export function tagsFromKeyValue(tags: { tagKey: string; tagValue: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.tagKey, t.tagValue]));
}

export function tagsFromKV(tags: { key: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));
}

/**
 * Tag.N for a request. A value of '*' means "any value of this key", which the API expresses by
 * leaving the value out.
 */
export function tagFilter(tags: Record<string, string> | undefined): { key: string; value?: string }[] | undefined {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([key, value]) => (value === '*' ? { key } : { key, value }));
}

export function matchesTags(actual: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => key in actual && (value === '*' || actual[key] === value));
}

export function capacityTypeOf(spotStrategy: string | undefined): CapacityType {
  return spotStrategy === 'SpotAsPriceGo' || spotStrategy === 'SpotWithPriceLimit' ? 'spot' : 'on-demand';
}

const instanceStates: readonly InstanceState[] = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Deleted'];

export function instanceStateOf(status: string): InstanceState {
  if ((instanceStates as readonly string[]).includes(status)) return status as InstanceState;
  // Deleting/Released and the like: the instance is on its way out.
  return 'Deleted';
}

export function providerIdOf(region: string, instanceId: string): string {
  return `${region}.${instanceId}`;
}

export function toInstance(region: string, model: InstanceModel): Instance {
  const instance: Instance = {
    id: model.instanceId,
    providerID: providerIdOf(region, model.instanceId),
    name: model.instanceName,
    instanceType: model.instanceType,
    zone: model.zoneId,
    capacityType: capacityTypeOf(model.spotStrategy),
    state: instanceStateOf(model.status),
    imageId: model.imageId,
    vSwitchId: model.vpcAttributes?.vSwitchId ?? '',
    securityGroupIds: model.securityGroupIds?.securityGroupId ?? [],
    tags: tagsFromKeyValue(model.tags?.tag),
    creationTime: model.creationTime,
  };
  const ip = model.vpcAttributes?.privateIpAddress?.ipAddress[0];
  if (ip) instance.privateIpAddress = ip;
  return instance;
}

export function toNetworkInterface(
  model: Omit<NetworkInterfaceModel, 'creationTime'> & { creationTime?: string },
  fallbackCreationTime: string,
): NetworkInterface {
  const eni: NetworkInterface = {
    id: model.networkInterfaceId,
    status: model.status,
    // A trunk ENI is a secondary ENI that member ENIs hang off; the contract knows only the two.
    type: model.type === 'Primary' ? 'Primary' : 'Secondary',
    vSwitchId: model.vSwitchId,
    zone: model.zoneId,
    securityGroupIds: model.securityGroupIds?.securityGroupId ?? [],
    macAddress: model.macAddress,
    primaryIpAddress: model.privateIpAddress,
    secondaryIpAddresses: (model.privateIpSets?.privateIpSet ?? [])
      .filter((ip) => !ip.primary && ip.privateIpAddress !== model.privateIpAddress)
      .map((ip) => ip.privateIpAddress),
    tags: tagsFromKeyValue(model.tags?.tag),
    creationTime: model.creationTime ?? fallbackCreationTime,
  };
  if (model.instanceId) eni.instanceId = model.instanceId;
  return eni;
}
