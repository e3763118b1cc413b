// The core's resource numbers (cpu in millicores, memory and storage in bytes, counts) back to
// Kubernetes quantity strings, exact and in the shortest common form ("4", "3920m", "15Gi").
import type { ResourceList } from '../../scheduling/index.js';

const binary: readonly [string, number][] = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];

export function formatQuantity(resource: string, value: number): string {
  const n = Math.max(0, Math.round(value));
  if (resource === 'cpu') return n % 1000 === 0 ? String(n / 1000) : `${n}m`;
  if (n === 0) return '0';
  for (const [suffix, size] of binary) if (n % size === 0) return `${n / size}${suffix}`;
  return String(n);
}

export function toQuantities(resources: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(resources).sort()) out[name] = formatQuantity(name, resources[name] ?? 0);
  return out;
}
