// The workloads tests deploy: a Deployment of pause containers with exact requests, its pods
// labelled `app: <name>` (plus any labels given), gone at once when deleted (no grace period), so
// scale-downs and node drains in a test take no longer than the operator does.

export interface PauseDeploymentOptions {
  namespace?: string;
  replicas: number;
  requests: { cpu: string; memory: string };
  /** Pod labels besides `app: <name>` (e.g. a PodNetworking's selector). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  affinity?: Record<string, unknown>;
  image?: string;
}

export function pauseDeployment(name: string, o: PauseDeploymentOptions) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: o.namespace ?? 'default' },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...o.labels }, ...(o.annotations ? { annotations: o.annotations } : {}) },
        spec: {
          terminationGracePeriodSeconds: 0,
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.affinity ? { affinity: o.affinity } : {}),
          containers: [{ name: 'pause', image: o.image ?? 'registry.k8s.io/pause:3.9', resources: { requests: o.requests } }],
        },
      },
    },
  };
}
