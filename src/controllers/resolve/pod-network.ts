// How a live pod's network resolves, for the IPAM (which allocates on it) and the admission
// webhook (which pins the pod to its zones): the same answer in both places, from the same
// caches. vSwitches named by pod annotations are looked up in the cloud once for their zones.
import { AnnotationPodNetworks, AnnotationPodVSwitches } from '../../apis/labels.js';
import type { PodNetworking } from '../../apis/podnetworking.js';
import type { CloudProvider } from '../../cloud/index.js';
import type { OperatorSettings } from '../../config/settings.js';
import { resolvePodNetwork, type PodNetworkResolution } from '../../ipam/pod-network-resolver.js';
import type { Informer, Namespace, Pod } from '../../operator/index.js';

export interface PodNetworkSources {
  cloud: CloudProvider;
  settings: OperatorSettings;
  namespaces: Informer<Namespace>;
  podNetworkings: Informer<PodNetworking>;
}

/** vSwitch ids named in `k8s.aliyun.com/pod-networks` (a bad annotation is the resolver's to report). */
function podNetworksVSwitches(annotations: Readonly<Record<string, string>>): string[] {
  const text = annotations[AnnotationPodNetworks];
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as { podNetworks?: { vSwitchOptions?: unknown }[] };
    return (parsed.podNetworks ?? []).flatMap((n) => (Array.isArray(n.vSwitchOptions) ? n.vSwitchOptions.filter((v): v is string => typeof v === 'string') : []));
  } catch {
    return [];
  }
}

export class PodNetworkLookup {
  /** Zones of vSwitches named by pod annotations; a vSwitch never changes zone. */
  private readonly vSwitchZones = new Map<string, string>();

  constructor(private readonly sources: PodNetworkSources) {}

  /**
   * `namespace` is given separately because a pod under admission may not carry it yet.
   * `previousZone`: for a fixed-IP pod, the zone its kept address lives in.
   */
  async resolve(pod: Pod, namespace: string, previousZone?: string): Promise<PodNetworkResolution> {
    const annotations = pod.metadata?.annotations ?? {};
    const named = [annotations[AnnotationPodVSwitches] ?? '', ...podNetworksVSwitches(annotations)]
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s.length > 0 && !this.vSwitchZones.has(s));
    if (named.length > 0) {
      for (const v of await this.sources.cloud.listVSwitches({ ids: named })) this.vSwitchZones.set(v.id, v.zone);
    }
    const { settings } = this.sources;
    return resolvePodNetwork({
      pod: {
        namespace,
        name: pod.metadata?.name ?? '',
        labels: pod.metadata?.labels ?? {},
        annotations,
        ownerReferences: (pod.metadata?.ownerReferences ?? []).map((r) => ({ kind: r.kind, ...(r.controller !== undefined ? { controller: r.controller } : {}) })),
        hostNetwork: pod.spec?.hostNetwork ?? false,
      },
      namespaceLabels: this.sources.namespaces.get(namespace)?.metadata?.labels ?? {},
      podNetworkings: this.sources.podNetworkings.list(),
      defaults: settings.ipam.defaults,
      defaultEniType: settings.defaultEniType === 'ENI' ? 'ENI' : 'ENIIP',
      vSwitchZones: Object.fromEntries(this.vSwitchZones),
      ...(previousZone !== undefined ? { previousZone } : {}),
    });
  }
}
