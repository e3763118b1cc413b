// The instance-type catalog's public surface (see catalog.ts).
export {
  createInstanceTypeCatalog,
  eniModeFor,
  DefaultTypesRefreshMs,
  DefaultUnavailableTtlMs,
  type InstanceTypeCatalog,
  type InstanceTypeCatalogOptions,
} from './catalog.js';
export { capacitySettingsOf, systemDiskGiB, canonicalJson, DefaultSystemDiskGiB, type NodeClassCapacitySettings, type NodeClassCapacityInput } from './node-class-settings.js';
export type { UnavailableEntry, OfferingKey } from './unavailable-offerings.js';
