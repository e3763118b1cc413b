// A Node's and a NodeClaim's providerID is `<regionId>.<instanceId>` (DESIGN.md §3).

/** The instance id of a providerID; undefined when there is none. */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  if (!providerID) return undefined;
  const dot = providerID.indexOf('.');
  const id = dot < 0 ? providerID : providerID.slice(dot + 1);
  return id.length > 0 ? id : undefined;
}
