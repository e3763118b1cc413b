// Gives tests the operator's identity exactly as the Helm chart grants it: the chart's
// ServiceAccount, ClusterRole, Role and bindings are rendered and applied, and a kubeconfig
// authenticating with that ServiceAccount's token is written. An operator started with it fails
// wherever the chart's RBAC lacks a verb, so a missing permission fails a test, not a production
// install.
import type { ControlPlane } from './controlplane.js';
import { ciValues, helmTemplate } from './helm.js';

export interface ChartIdentity {
  /** kubeconfig with the ServiceAccount's bearer token. */
  kubeconfigPath: string;
  namespace: string;
  serviceAccountName: string;
  /** The Lease the chart's Role allows; pass it to the operator's leader election. */
  leaseName: string;
}

const rbacTemplates = ['serviceaccount.yaml', 'clusterrole.yaml', 'clusterrolebinding.yaml', 'role.yaml'];

export async function installChartRbac(
  cp: ControlPlane,
  opts: { namespace?: string; release?: string; embeddedCloud?: boolean; tokenDuration?: string } = {},
): Promise<ChartIdentity> {
  const namespace = opts.namespace ?? 'ack-system';
  const release = opts.release ?? 'ack';
  const fullname = `${release}-ack-node-operator`;
  const rendered = await helmTemplate({
    namespace,
    release,
    values: [ciValues('default')],
    // Only an operator running the simulator in-process (which registers Nodes) may create Nodes.
    set: opts.embeddedCloud === true ? ['settings.cloudEndpoint=embedded'] : [],
    showOnly: rbacTemplates.map((t) => `templates/${t}`),
  });
  if (rendered.code !== 0) throw new Error(`helm template failed:\n${rendered.stderr}`);

  const must = async (args: string[], input?: string): Promise<string> => {
    const result = await cp.kubectl(args, input === undefined ? {} : { input });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  };
  const namespaceYaml = await must(['create', 'namespace', namespace, '--dry-run=client', '-o', 'yaml']);
  await must(['apply', '-f', '-'], namespaceYaml);
  await must(['apply', '-n', namespace, '-f', '-'], rendered.stdout);
  const token = (await must(['create', 'token', fullname, '-n', namespace, `--duration=${opts.tokenDuration ?? '2h'}`])).trim();
  return { kubeconfigPath: await cp.kubeconfigForToken(token), namespace, serviceAccountName: fullname, leaseName: fullname };
}
