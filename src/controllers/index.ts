// The one place controllers are registered with the manager. main.ts calls registerControllers
// once, before the manager starts; each controller folder adds its line below.
// How to write a controller: src/operator/README.md.
import { createInstanceTypeCatalog, type InstanceTypeCatalog } from '../catalog/index.js';
import type { CloudProvider } from '../cloud/index.js';
import type { OperatorSettings } from '../config/settings.js';
import type { Manager } from '../operator/index.js';
import { registerAdmission } from './admission/index.js';
import { registerCatalogRefresh } from './catalog/index.js';
import { registerDisruption } from './disruption/index.js';
import { registerIpam } from './ipam/index.js';
import { registerNetworking } from './networking/index.js';
import { registerNodeClass } from './nodeclass/index.js';
import { VSwitchIpGauge } from './resolve/vswitch-ips-gauge.js';
import { registerNodeClaim } from './nodeclaim/index.js';
import { registerProvisioning } from './provisioning/index.js';

export interface ControllerDeps {
  /** The cloud (Alibaba Cloud, or the embedded simulator through the same SDK). */
  cloud: CloudProvider;
  settings: OperatorSettings;
  /** Instance types with offerings and prices, per ECSNodeClass (built once, refreshed by src/controllers/catalog). */
  catalog: InstanceTypeCatalog;
}

/** What main.ts provides; the shared services are built here once from it. */
export type BaseControllerDeps = Pick<ControllerDeps, 'cloud' | 'settings'>;

export function registerControllers(manager: Manager, base: BaseControllerDeps): ControllerDeps {
  const catalog = createInstanceTypeCatalog(base.cloud, {
    logger: manager.logger,
    registry: manager.registry,
    defaultEniType: base.settings.defaultEniType,
  });
  const deps: ControllerDeps = { ...base, catalog };
  registerCatalogRefresh(manager, catalog);
  // Both report the free IPs of the vSwitches they select into one gauge.
  const vSwitchIps = new VSwitchIpGauge(manager.registry);
  registerNodeClass(manager, deps, { vSwitchIps });
  registerNetworking(manager, deps, { vSwitchIps });
  registerNodeClaim(manager, deps);
  registerIpam(manager, deps);
  registerProvisioning(manager, deps);
  registerDisruption(manager, deps);
  registerAdmission(manager, deps);
  // Controllers register here, e.g. registerProvisioning(manager, deps).
  return deps;
}
