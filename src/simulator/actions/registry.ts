// Every action the simulator answers, by product and name.
import type { Action, Product } from './action.js';
import { createAutoProvisioningGroup } from './ecs/autoProvisioningGroups.js';
import { describeImages } from './ecs/images.js';
import { describeAvailableResource, describeInstanceTypes } from './ecs/instanceTypes.js';
import { deleteInstance, deleteInstancesAction, describeInstances, runInstances } from './ecs/instances.js';
import {
  attachNetworkInterfaceAction,
  createNetworkInterfaceAction,
  deleteNetworkInterfaceAction,
  describeNetworkInterfaces,
  detachNetworkInterfaceAction,
} from './ecs/networkInterfaces.js';
import { describePrice, describeSpotPriceHistory } from './ecs/prices.js';
import { assignPrivateIpAddressesAction, unassignPrivateIpAddressesAction } from './ecs/privateIps.js';
import { describeRegions, describeZones } from './ecs/regions.js';
import { describeSecurityGroups } from './ecs/securityGroups.js';
import { addTags, tagResources, untagResources } from './ecs/tags.js';
import { describeVSwitches } from './vpc/vSwitches.js';
import { describeVpcs } from './vpc/vpcs.js';

export const allActions: readonly Action[] = [
  describeRegions,
  describeZones,
  describeInstanceTypes,
  describeAvailableResource,
  describeSpotPriceHistory,
  describePrice,
  describeImages,
  describeSecurityGroups,
  runInstances,
  createAutoProvisioningGroup,
  describeInstances,
  deleteInstance,
  deleteInstancesAction,
  tagResources,
  untagResources,
  addTags,
  createNetworkInterfaceAction,
  attachNetworkInterfaceAction,
  detachNetworkInterfaceAction,
  deleteNetworkInterfaceAction,
  describeNetworkInterfaces,
  assignPrivateIpAddressesAction,
  unassignPrivateIpAddressesAction,
  describeVSwitches,
  describeVpcs,
];

export function findAction(product: Product, name: string): Action | undefined {
  return allActions.find((a) => a.product === product && a.name === name);
}
