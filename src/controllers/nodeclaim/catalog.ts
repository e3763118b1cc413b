// What the NodeClaim lifecycle needs of the instance-type catalog (src/catalog, built once in
// src/controllers/index.ts and passed in ControllerDeps). Declared here structurally so this folder
// depends on the contract, not on the catalog's internals.
import type { ECSNodeClass } from '../../apis/ecsnodeclass.js';
import type { InstanceTypeInfo } from '../../cloud/types.js';
import type { CapacityType, InstanceType } from '../../scheduling/index.js';

export interface OfferingKey {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

export interface InstanceTypeCatalog {
  /** Instance types a node class can launch: offerings limited to its zones, unavailable ones marked. */
  forNodeClass(nodeClass: ECSNodeClass): InstanceType[];
  /** The ECS facts of one type (vCPUs, memory, ENIs), for the kubelet settings of a launch. */
  info(instanceType: string): InstanceTypeInfo | undefined;
  /** After a NoStock answer: the offering is skipped for a while, by this launch and the provisioner. */
  markUnavailable(offering: OfferingKey, reason: string): void;
  /** False until the first refresh completed; a launch waits rather than concluding nothing fits. */
  loaded(): boolean;
}
