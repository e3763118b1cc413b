// The demo's summary: what was launched (type, zone, capacity type, price), which pods got which
// IPs from which vSwitch, what was removed, and the cost per hour. Built from the run's history
// and snapshots; printed as tables and, with --summary-json, written as JSON (the e2e test reads it).
import { describeClaim, formatPrice, type History } from './progress.js';
import type { CloudVSwitch, Snapshot } from './snapshot.js';
import { costPerHour } from './snapshot.js';

export interface LaunchedNode {
  nodeClaim: string;
  node?: string;
  instanceId?: string;
  instanceType?: string;
  zone?: string;
  capacityType?: string;
  pricePerHour?: number;
}

export interface PodIp {
  pod: string;
  app: string;
  coreTrade: boolean;
  node?: string;
  ip?: string;
  vSwitchId?: string;
  vSwitchName?: string;
  securityGroupIds: string[];
}

export interface VSwitchUse {
  id: string;
  name: string;
  zone: string;
  cidr: string;
  pods: { pod: string; ip: string }[];
}

export interface DemoSummary {
  scale: { inflate: number; coreTrade: number };
  /** Every NodeClaim that launched an instance during the run. */
  launched: LaunchedNode[];
  /** The scenario's pods at the peak, with their IPs. */
  pods: PodIp[];
  podsByVSwitch: VSwitchUse[];
  /** The core-trade vSwitches and security group the PodNetworking names. */
  coreTrade: { vSwitchIds: string[]; securityGroupId: string; podsOnCoreVSwitch: number; podsWithCoreSecurityGroup: number; pods: number };
  peakCostPerHour: number;
  scaleUpSeconds: number;
  /** After the scale-down; undefined until then. */
  scaleDown?: {
    seconds: number;
    removed: LaunchedNode[];
    remaining: { nodeClaims: number; nodes: number; instances: number; scenarioPods: number };
    costPerHour: number;
  };
}

function toLaunched(c: { name: string; nodeName?: string; instanceId?: string; instanceType?: string; zone?: string; capacityType?: string; pricePerHour?: number }): LaunchedNode {
  const node: LaunchedNode = { nodeClaim: c.name };
  if (c.nodeName) node.node = c.nodeName;
  if (c.instanceId) node.instanceId = c.instanceId;
  if (c.instanceType) node.instanceType = c.instanceType;
  if (c.zone) node.zone = c.zone;
  if (c.capacityType) node.capacityType = c.capacityType;
  if (c.pricePerHour !== undefined) node.pricePerHour = c.pricePerHour;
  return node;
}

export function scaleUpSummary(input: {
  scale: DemoSummary['scale'];
  history: History;
  peak: Snapshot;
  coreTrade: { vSwitchIds: string[]; securityGroupId: string };
  scaleUpSeconds: number;
}): DemoSummary {
  const { peak, coreTrade } = input;
  const pods: PodIp[] = peak.pods.filter((p) => !p.deleting).map((p) => {
    const row: PodIp = { pod: p.name, app: p.app, coreTrade: p.coreTrade, securityGroupIds: p.securityGroupIds };
    if (p.nodeName) row.node = p.nodeName;
    if (p.ip) row.ip = p.ip;
    if (p.vSwitchId) {
      row.vSwitchId = p.vSwitchId;
      const name = peak.vSwitches.find((v) => v.id === p.vSwitchId)?.name;
      if (name) row.vSwitchName = name;
    }
    return row;
  });
  const byVSwitch = new Map<string, VSwitchUse>();
  for (const p of pods) {
    if (!p.ip || !p.vSwitchId) continue;
    const v: CloudVSwitch | undefined = peak.vSwitches.find((s) => s.id === p.vSwitchId);
    const use = byVSwitch.get(p.vSwitchId) ?? { id: p.vSwitchId, name: v?.name ?? p.vSwitchId, zone: v?.zoneId ?? '?', cidr: v?.cidrBlock ?? '?', pods: [] };
    use.pods.push({ pod: p.pod, ip: p.ip });
    byVSwitch.set(p.vSwitchId, use);
  }
  const core = pods.filter((p) => p.coreTrade);
  return {
    scale: input.scale,
    launched: [...input.history.launched.values()].map(toLaunched),
    pods,
    podsByVSwitch: [...byVSwitch.values()].sort((a, b) => a.name.localeCompare(b.name)),
    coreTrade: {
      ...coreTrade,
      pods: core.length,
      podsOnCoreVSwitch: core.filter((p) => p.vSwitchId && coreTrade.vSwitchIds.includes(p.vSwitchId)).length,
      podsWithCoreSecurityGroup: core.filter((p) => p.securityGroupIds.includes(coreTrade.securityGroupId)).length,
    },
    peakCostPerHour: Math.max(input.history.peakCostPerHour, costPerHour(peak.claims)),
    scaleUpSeconds: input.scaleUpSeconds,
  };
}

export function withScaleDown(summary: DemoSummary, input: { history: History; end: Snapshot; seconds: number }): DemoSummary {
  return {
    ...summary,
    // Consolidation may have replaced nodes after the peak: report every launch of the run.
    launched: [...input.history.launched.values()].map(toLaunched),
    scaleDown: {
      seconds: input.seconds,
      removed: [...input.history.removed.values()].map(toLaunched),
      remaining: {
        nodeClaims: input.end.claims.length,
        nodes: input.end.nodes.length,
        instances: input.end.instances.length,
        scenarioPods: input.end.pods.length,
      },
      costPerHour: costPerHour(input.end.claims),
    },
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export function formatScaleUp(s: DemoSummary): string {
  const nodes = table(
    ['NodeClaim', 'Node', 'Instance type', 'Zone', 'Capacity', 'Price'],
    s.launched.map((n) => [n.nodeClaim, n.node ?? '-', n.instanceType ?? '?', n.zone ?? '?', n.capacityType ?? '?', formatPrice(n.pricePerHour)]),
  );
  const ips = s.podsByVSwitch.map((v) => {
    const sample = v.pods.slice(0, 6).map((p) => p.ip).join(', ');
    return `  ${v.name} (${v.id}, ${v.zone}, ${v.cidr}): ${v.pods.length} pod(s): ${sample}${v.pods.length > 6 ? ', ...' : ''}`;
  });
  const withoutIp = s.pods.filter((p) => !p.ip).length;
  const ct = s.coreTrade;
  return [
    `Scale-up done in ${s.scaleUpSeconds.toFixed(0)} s: ${s.scale.inflate} inflate + ${s.scale.coreTrade} core-trade pods.`,
    '',
    `Nodes launched (${s.launched.length}):`,
    nodes,
    '',
    'Pod IPs by vSwitch:',
    ...(ips.length > 0 ? ips : ['  (none)']),
    ...(withoutIp > 0 ? [`  ${withoutIp} pod(s) without an IP`] : []),
    '',
    `Core-trade isolation: ${ct.podsOnCoreVSwitch}/${ct.pods} core-trade pods on ${ct.vSwitchIds.join(' or ')}, ` +
      `${ct.podsWithCoreSecurityGroup}/${ct.pods} behind ${ct.securityGroupId}.`,
    `Cost: ${formatPrice(s.peakCostPerHour)} for ${s.launched.length} node(s).`,
  ].join('\n');
}

export function formatScaleDown(s: DemoSummary): string {
  const d = s.scaleDown;
  if (!d) return '';
  const removed = d.removed.map((n) => `  ${n.nodeClaim}: ${describeClaim({ name: n.nodeClaim, ...n, launched: true, registered: true, initialized: true, deleting: true })}`);
  return [
    `Scale-down done in ${d.seconds.toFixed(0)} s.`,
    '',
    `Nodes removed (${d.removed.length} of ${s.launched.length} launched):`,
    ...(removed.length > 0 ? removed : ['  (none)']),
    `Left: ${d.remaining.nodeClaims} NodeClaim(s), ${d.remaining.nodes} Node(s), ${d.remaining.instances} instance(s) in the cloud.`,
    `Cost: ${formatPrice(s.peakCostPerHour)} at the peak, ${formatPrice(d.costPerHour)} now.`,
  ].join('\n');
}
