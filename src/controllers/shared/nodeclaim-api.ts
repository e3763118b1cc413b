// NodeClaim writes more than one controller makes, through the custom objects API.
import type { NodeClaim } from '../../apis/nodeclaim.js';
import { isConflict, isNotFound, NodeClaims, type Manager } from '../../operator/index.js';

/** The NodeClaim resource's coordinates for the custom objects API. */
export const nodeClaimApi = { group: NodeClaims.group, version: NodeClaims.version, plural: NodeClaims.plural } as const;

/**
 * Deletes the NodeClaim (its finalizer then drains the node and terminates the instance). A claim
 * already gone, or a different claim of the same name (the uid precondition), needs nothing.
 */
export async function deleteClaim({ manager }: { manager: Manager }, claim: NodeClaim): Promise<void> {
  try {
    await manager.clients.customObjects.deleteClusterCustomObject({
      ...nodeClaimApi,
      name: claim.metadata.name ?? '',
      body: { preconditions: { uid: claim.metadata.uid } },
    });
  } catch (error) {
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
}
