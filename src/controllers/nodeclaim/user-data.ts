// The node bootstrap contract (ACK's, played by the simulator in tests): user data is the node
// class's own script followed by one line
//
//   export ACK_NODE_BOOTSTRAP='<json>'
//
// carrying the labels, taints and kubelet settings the node registers with. The JSON is
// single-quoted for the shell, a quote inside written '\''. The encoding is deterministic (keys
// sorted) because the user data is part of the launch's idempotent parameters: the same NodeClaim
// must always produce the same bytes, or a retried launch would not be recognised as the same call.
// The operator never imports the simulator; a unit test proves the simulator decodes this.

export const BootstrapVariable = 'ACK_NODE_BOOTSTRAP';

export interface BootstrapTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface BootstrapKubelet {
  maxPods?: number;
  podsPerCore?: number;
  kubeReserved?: Record<string, string>;
  systemReserved?: Record<string, string>;
  evictionHard?: Record<string, string>;
}

export interface NodeBootstrap {
  labels: Record<string, string>;
  taints: BootstrapTaint[];
  kubelet: BootstrapKubelet;
}

/** JSON with object keys sorted at every level, so equal content is equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const bootstrapLine = new RegExp(`^\\s*export\\s+${BootstrapVariable}=`);

/** The user data script (plain text; the cloud provider base64-encodes it). */
export function bootstrapUserData(bootstrap: NodeBootstrap, userScript?: string): string {
  // A bootstrap line in the user's own script would be read instead of ours.
  const own = (userScript ?? '#!/bin/bash')
    .split(/\r?\n/)
    .filter((line) => !bootstrapLine.test(line))
    .join('\n')
    .trimEnd();
  const json = canonicalJson({
    labels: bootstrap.labels,
    taints: bootstrap.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect })),
    kubelet: bootstrap.kubelet,
  }).replace(/'/g, "'\\''");
  return `${own ? `${own}\n` : ''}export ${BootstrapVariable}='${json}'\n`;
}
