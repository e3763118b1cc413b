// Runs the locally built helm (hack/controlplane/build.sh) against charts/ack-node-operator and
// parses what it renders. Helm's own cache and config live under .cache/helm, never in $HOME.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ensureBinaries } from './controlplane.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const chartDir = join(repoRoot, 'charts/ack-node-operator');
/** Values files under the chart's ci/ directory, one per supported install shape. */
export const ciValues = (name: string): string => join(chartDir, 'ci', `${name}-values.yaml`);
/** The version the local control plane runs; `helm template` needs it to satisfy kubeVersion. */
export const kubeVersion = 'v1.35.4';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A rendered Kubernetes object, loosely typed: tests navigate it with optional chaining. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const helmHome = join(repoRoot, '.cache/helm');

/** Runs helm; never throws on a non-zero exit. */
export async function helm(args: string[], opts: { kubeconfig?: string } = {}): Promise<HelmResult> {
  const binDir = await ensureBinaries();
  await mkdir(helmHome, { recursive: true });
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    ...(opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
  };
  return new Promise((resolve) => {
    execFile(join(binDir, 'helm'), args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RenderOptions {
  /** Release name; "ack" by default, so names are ack-ack-node-operator*. */
  release?: string;
  values?: string[];
  set?: string[];
  namespace?: string;
  /** Extra API versions the pretend cluster serves, e.g. monitoring.coreos.com/v1. */
  apiVersions?: string[];
  /** Render only these templates, e.g. templates/role.yaml. */
  showOnly?: string[];
}

function templateArgs(opts: RenderOptions): string[] {
  return [
    'template', opts.release ?? 'ack', chartDir,
    '--namespace', opts.namespace ?? 'kube-system',
    '--kube-version', kubeVersion,
    ...(opts.values ?? []).flatMap((f) => ['--values', f]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
    ...(opts.apiVersions ?? []).flatMap((v) => ['--api-versions', v]),
    ...(opts.showOnly ?? []).flatMap((t) => ['--show-only', t]),
  ];
}

/** `helm template` as raw output, for tests that expect a failure. */
export function helmTemplate(opts: RenderOptions = {}): Promise<HelmResult> {
  return helm(templateArgs(opts));
}

/** Renders the chart and parses every document; throws with helm's message on failure. */
export async function renderChart(opts: RenderOptions = {}): Promise<Manifest[]> {
  const result = await helmTemplate(opts);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML rendered: ${doc.errors[0]?.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}

export function findManifest(manifests: Manifest[], kind: string, nameSuffix = ''): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(nameSuffix));
  if (!found) throw new Error(`no ${kind}${nameSuffix ? ` named *${nameSuffix}` : ''} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}
