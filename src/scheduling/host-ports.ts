// Host ports a pod binds on its node, and conflicts between them (kube-scheduler's NodePorts).
import type { PodSpecLite } from './types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** Host ports of app containers and sidecars; host-network pods bind every container port. */
export function hostPortsOf(pod: PodSpecLite): HostPort[] {
  const out: HostPort[] = [];
  const visit = (ports: PodSpecLite['containers'][number]['ports']) => {
    for (const p of ports ?? []) {
      const port = p.hostPort ?? (pod.hostNetwork ? p.containerPort : 0);
      if (!port) continue;
      out.push({ ip: p.hostIP && p.hostIP !== '' ? p.hostIP : '0.0.0.0', protocol: p.protocol ?? 'TCP', port });
    }
  };
  for (const c of pod.containers) visit(c.ports);
  for (const c of pod.initContainers ?? []) if (c.restartPolicy === 'Always') visit(c.ports);
  return out;
}

/** The host ports in use on one node. */
export class HostPortUsage {
  private readonly used = new Map<string, string[]>(); // protocol/port -> IPs

  conflict(ports: readonly HostPort[]): HostPort | undefined {
    for (const p of ports) {
      const ips = this.used.get(`${p.protocol}/${p.port}`);
      if (!ips) continue;
      for (const ip of ips) {
        if (ip === p.ip || ip === '0.0.0.0' || p.ip === '0.0.0.0') return p;
      }
    }
    return undefined;
  }

  add(ports: readonly HostPort[]): void {
    for (const p of ports) {
      const key = `${p.protocol}/${p.port}`;
      const ips = this.used.get(key);
      if (ips) ips.push(p.ip);
      else this.used.set(key, [p.ip]);
    }
  }

  clone(): HostPortUsage {
    const out = new HostPortUsage();
    for (const [k, v] of this.used) out.used.set(k, [...v]);
    return out;
  }
}
