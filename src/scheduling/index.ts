// The scheduling core's public surface. Pure: no I/O, no clients; controllers adapt their objects
// into SchedulingInput and act on the SchedulingResult.
export { solve } from './scheduler.js';
export type * from './types.js';
export { parseQuantity, resourcesFromQuantities, formatResources } from './quantity.js';
export { podRequests, fits, sumResources, subtractResources, ResourceCPU, ResourceMemory, ResourcePods, ResourceEphemeralStorage } from './resources.js';
export { Requirement, Requirements, isWellKnownLabel } from './requirements.js';
export { tolerates, untoleratedTaint, formatTaint } from './taints.js';
export { compileLabelSelector } from './label-selector.js';
export { hostPortsOf } from './host-ports.js';
export {
  maxPodsForInstanceType, eniSlots, eniUsageFits, eniDemandOf, type EniMode, type EniSlots, type EniUsage, type KubeletPodLimits,
} from './eni-density.js';
export {
  buildInstanceType, computeAllocatable, defaultKubeReserved, evictionThreshold, instanceTypeCapacity, instanceTypeLabels,
  instanceTypeOverhead, DefaultEvictionHard, type InstanceTypeSpec, type KubeletSettings, type Overhead, type BuildInstanceTypeOptions,
  type CapacityOptions,
} from './instance-types.js';
export {
  fractionalLowerBound, fractionalLowerBoundForPods, podShareLowerBound, configurationLowerBound, podSizes, bestShareWeights, podShare, packingEfficiency, cheapestPrice, podSlotsOf, pricedCapacity,
  type LowerBound, type PricedCapacity, type ShareWeights, type SizedDemand,
} from './lower-bound.js';
export { configurationLp, type ConfigurationLpResult, type ConfigurationLpOptions, type Pattern, type PodSize, type PricedRoom } from './configuration-lp.js';
