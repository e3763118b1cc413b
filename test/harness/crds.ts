// Installs the project's CRDs (crds/) into a control plane and waits until the API serves them:
// every controller's informer lists a CR kind, so an operator is never ready without them.
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from './controlplane.js';

export const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));

export async function installCrds(cp: ControlPlane): Promise<void> {
  for (const args of [
    ['apply', '--server-side', '-f', crdsDir],
    ['wait', '--for=condition=Established', '--timeout=60s', '-f', crdsDir],
  ]) {
    const result = await cp.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  }
}

