// The one place controllers are registered with the manager. main.ts calls registerControllers
// once, before the manager starts; each controller folder adds its line below.
// How to write a controller: src/operator/README.md.
import type { CloudProvider } from '../cloud/index.js';
import type { OperatorSettings } from '../config/settings.js';
import type { Manager } from '../operator/index.js';

export interface ControllerDeps {
  /** The cloud (Alibaba Cloud, or the embedded simulator through the same SDK). */
  cloud: CloudProvider;
  settings: OperatorSettings;
}

export function registerControllers(manager: Manager, deps: ControllerDeps): void {
  // Controllers register here, e.g. registerProvisioning(manager, deps).
  void manager;
  void deps;
}
