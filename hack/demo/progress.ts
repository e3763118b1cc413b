// What changed between two snapshots, as lines a person can follow: NodeClaims created, launched
// (type, zone, capacity type, price) and removed, Nodes joining and leaving, pods getting their IPs
// (and from which vSwitch). The history keeps every NodeClaim that ever launched, for the summary.
import type { ClaimView, CloudVSwitch, PodView, Snapshot } from './snapshot.js';
import { costPerHour } from './snapshot.js';

export function formatPrice(cnyPerHour: number | undefined): string {
  return cnyPerHour === undefined ? '? CNY/h' : `${cnyPerHour.toFixed(4)} CNY/h`;
}

export function vSwitchLabel(id: string | undefined, vSwitches: readonly CloudVSwitch[]): string {
  if (!id) return 'unknown vSwitch';
  const v = vSwitches.find((s) => s.id === id);
  return v ? `${v.name} (${v.id})` : id;
}

export function describeClaim(c: ClaimView): string {
  return `${c.instanceType ?? '?'} ${c.capacityType ?? '?'} in ${c.zone ?? '?'} at ${formatPrice(c.pricePerHour)}`;
}

export function describePodIp(p: PodView, vSwitches: readonly CloudVSwitch[]): string {
  const groups = p.securityGroupIds.length > 0 ? ` [${p.securityGroupIds.join(', ')}]` : '';
  return `${p.ip} from ${vSwitchLabel(p.vSwitchId, vSwitches)}${groups}`;
}

/** Every NodeClaim seen launched during the run, by name, with its last known view; and the ones gone since. */
export class History {
  readonly launched = new Map<string, ClaimView>();
  readonly removed = new Map<string, ClaimView>();
  peakCostPerHour = 0;

  record(next: Snapshot): void {
    for (const c of next.claims) if (c.launched || c.instanceType) this.launched.set(c.name, { ...(this.launched.get(c.name) ?? {}), ...c });
    const present = new Set(next.claims.map((c) => c.name));
    for (const [name, c] of this.launched) if (!present.has(name)) this.removed.set(name, c);
    this.peakCostPerHour = Math.max(this.peakCostPerHour, costPerHour(next.claims));
  }
}

/** The lines that tell what happened between `prev` and `next` (prev undefined: everything is new). */
export function progressLines(prev: Snapshot | undefined, next: Snapshot): string[] {
  const lines: string[] = [];
  const prevClaims = new Map((prev?.claims ?? []).map((c) => [c.name, c]));
  const nextClaims = new Map(next.claims.map((c) => [c.name, c]));
  for (const c of next.claims) {
    const before = prevClaims.get(c.name);
    if (!before) lines.push(`+ NodeClaim ${c.name} created for pending pods`);
    if (c.launched && !before?.launched) lines.push(`  NodeClaim ${c.name} launched ${c.instanceId ?? 'an instance'}: ${describeClaim(c)}`);
    if (c.initialized && !before?.initialized) lines.push(`  NodeClaim ${c.name} initialized: node ${c.nodeName ?? '?'} is ready for pods`);
    if (c.deleting && !before?.deleting) lines.push(`- NodeClaim ${c.name} is being removed (node ${c.nodeName ?? '?'}, ${c.instanceType ?? '?'})`);
  }
  for (const c of prev?.claims ?? []) {
    if (!nextClaims.has(c.name)) lines.push(`- NodeClaim ${c.name} removed${c.instanceId ? `; instance ${c.instanceId} released` : ''}`);
  }
  const prevNodes = new Set((prev?.nodes ?? []).map((n) => n.name));
  const nextNodes = new Set(next.nodes.map((n) => n.name));
  for (const n of next.nodes) {
    if (!prevNodes.has(n.name)) lines.push(`+ Node ${n.name} joined (${n.instanceType ?? '?'} in ${n.zone ?? '?'}${n.instanceId ? `, ${n.instanceId}` : ''})`);
  }
  for (const n of prev?.nodes ?? []) if (!nextNodes.has(n.name)) lines.push(`- Node ${n.name} left the cluster`);
  const prevIps = new Map((prev?.pods ?? []).map((p) => [`${p.namespace}/${p.name}`, p.ip]));
  for (const p of next.pods) {
    if (p.ip && prevIps.get(`${p.namespace}/${p.name}`) !== p.ip) lines.push(`  pod ${p.name} on ${p.nodeName ?? '?'}: ${describePodIp(p, next.vSwitches)}`);
  }
  return lines;
}

/** One line of counts, printed when it changes. */
export function statusLine(s: Snapshot, startedAt: number): string {
  const desired = s.pods.filter((p) => !p.deleting);
  const running = desired.filter((p) => p.phase === 'Running').length;
  const withIp = desired.filter((p) => p.ip).length;
  const pending = desired.filter((p) => p.phase === 'Pending').length;
  const seconds = Math.round((s.at - startedAt) / 1000);
  return `[${String(seconds).padStart(4)}s] pods ${running}/${desired.length} running, ${pending} pending, ${withIp} with an IP` +
    ` | NodeClaims ${s.claims.length} | Nodes ${s.nodes.length} | instances ${s.instances.length} | ${formatPrice(costPerHour(s.claims))}`;
}
