// Selector terms (by id, name or tags) resolved to vSwitches and security groups through the
// cloud: the one place both the ECSNodeClass and the PodNetworking controllers turn what users
// wrote into cloud resources. Terms are ORed; within a term every field must match; a tag value
// of '*' matches any value of that key (the provider implements the tag semantics).
import type { CloudProvider, ResourceFilter, SecurityGroup, VSwitch } from '../../cloud/index.js';

export interface SelectorTerm {
  id?: string;
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

export interface Resolution<T> {
  /** Everything the terms select, in term order, each once. */
  resources: T[];
  /** The terms that selected nothing (an id that does not exist, tags nobody carries). */
  unmatched: SelectorTerm[];
}

/** "[tags karpenter.sh/discovery=foo]", "[id vsw-123]", "[name sg-default]" for messages. */
export function describeTerm(term: SelectorTerm): string {
  const parts: string[] = [];
  if (term.id !== undefined) parts.push(`id ${term.id}`);
  if (term.name !== undefined) parts.push(`name ${term.name}`);
  if (term.tags !== undefined) {
    const tags = Object.entries(term.tags)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`);
    parts.push(`tags ${tags.join(',')}`);
  }
  return `[${parts.join(' ')}]`;
}

export function describeTerms(terms: readonly SelectorTerm[]): string {
  return terms.map(describeTerm).join(' or ');
}

/**
 * Resolves terms with `list`: all id-only terms in one call (the provider batches ids), every
 * other term in its own call, concurrently. The result keeps the order of the terms (and of the
 * ids within them), which matters where order is policy (PodNetworking's `ordered` selection).
 */
async function resolveTerms<T extends { id: string; name: string; tags: Record<string, string> }>(
  terms: readonly SelectorTerm[],
  list: (filter: ResourceFilter) => Promise<T[]>,
): Promise<Resolution<T>> {
  const idOnly = terms.filter((t) => t.id !== undefined && t.name === undefined && t.tags === undefined);
  const others = terms.filter((t) => !idOnly.includes(t));
  const ids = [...new Set(idOnly.map((t) => t.id as string))];
  const [byId, otherResults] = await Promise.all([
    ids.length > 0 ? list({ ids }) : Promise.resolve([] as T[]),
    Promise.all(others.map((term) => list(filterOf(term)))),
  ]);
  const found = new Map(byId.map((r) => [r.id, r]));
  const resources: T[] = [];
  const seen = new Set<string>();
  const unmatched: SelectorTerm[] = [];
  const add = (r: T) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    resources.push(r);
  };
  for (const term of terms) {
    const matches = idOnly.includes(term)
      ? [found.get(term.id as string)].filter((r): r is T => r !== undefined)
      : [...(otherResults[others.indexOf(term)] ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (matches.length === 0) unmatched.push(term);
    matches.forEach(add);
  }
  return { resources, unmatched };
}

function filterOf(term: SelectorTerm): ResourceFilter {
  return {
    ...(term.id !== undefined ? { ids: [term.id] } : {}),
    ...(term.name !== undefined ? { names: [term.name] } : {}),
    ...(term.tags !== undefined ? { tags: { ...term.tags } } : {}),
  };
}

export function resolveVSwitches(cloud: CloudProvider, terms: readonly SelectorTerm[]): Promise<Resolution<VSwitch>> {
  return resolveTerms(terms, (filter) => cloud.listVSwitches(filter));
}

export function resolveSecurityGroups(cloud: CloudProvider, terms: readonly SelectorTerm[]): Promise<Resolution<SecurityGroup>> {
  return resolveTerms(terms, (filter) => cloud.listSecurityGroups(filter));
}

/** Id lists (PodNetworking's vSwitchOptions, securityGroupIDs) as terms. */
export const idTerms = (ids: readonly string[]): SelectorTerm[] => ids.map((id) => ({ id }));
