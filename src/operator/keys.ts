// Work-queue keys: "namespace/name" for namespaced objects, "name" for cluster-scoped ones, as
// client-go's MetaNamespaceKeyFunc writes them.

export interface ObjectName {
  name: string;
  namespace?: string;
}

export function keyOf(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export function keyFor(name: string, namespace?: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): ObjectName {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
