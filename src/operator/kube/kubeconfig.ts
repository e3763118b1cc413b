// Where the operator's Kubernetes credentials come from: an explicit kubeconfig file, else the
// pod's service account when running in a cluster, else the usual kubeconfig lookup.
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path?: string, env: Readonly<Record<string, string | undefined>> = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  // KUBECONFIG may list several files; the default loader merges them.
  if (path && !path.includes(':')) kubeConfig.loadFromFile(path);
  else if (path) kubeConfig.loadFromDefault();
  else if (env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  if (!kubeConfig.getCurrentCluster()) throw new Error(path ? `kubeconfig ${path} has no current cluster` : 'no kubeconfig found: set --kubeconfig or run in a cluster');
  return kubeConfig;
}
