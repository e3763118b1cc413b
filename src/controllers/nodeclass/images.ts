// imageSelectorTerms to images: an alias (ContainerOS, AlibabaCloudLinux3, optionally @version)
// resolves to the newest matching image per architecture; ids resolve to themselves. Each image
// carries the requirement an instance type must meet to boot it (its architecture), as
// Karpenter's status.amis do.
import { parseImageAlias, type ImageSelectorTerm } from '../../apis/ecsnodeclass.js';
import { LabelArch } from '../../apis/labels.js';
import type { CloudProvider, Image } from '../../cloud/index.js';

export interface ResolvedImageStatus {
  id: string;
  name: string;
  requirements: { key: string; operator: string; values: string[] }[];
}

export interface ImageResolution {
  images: ResolvedImageStatus[];
  /** Terms that selected nothing. */
  unmatched: ImageSelectorTerm[];
}

export function describeImageTerm(term: ImageSelectorTerm): string {
  return term.alias !== undefined ? `[alias ${term.alias}]` : `[id ${term.id ?? ''}]`;
}

const newestFirst = (a: Image, b: Image) => (a.creationTime < b.creationTime ? 1 : a.creationTime > b.creationTime ? -1 : a.id < b.id ? -1 : 1);

export async function resolveImages(cloud: CloudProvider, terms: readonly ImageSelectorTerm[]): Promise<ImageResolution> {
  const ids = terms.flatMap((t) => (t.id !== undefined ? [t.id] : []));
  const aliasTerms = terms.filter((t) => t.alias !== undefined);
  const [byId, byAlias] = await Promise.all([
    ids.length > 0 ? cloud.listImages({ ids }) : Promise.resolve([] as Image[]),
    Promise.all(
      aliasTerms.map((t) => {
        const { family, version } = parseImageAlias(t.alias as string);
        return cloud.listImages({ family, version: version ?? 'latest' });
      }),
    ),
  ]);
  const unmatched: ImageSelectorTerm[] = [];
  const selected: Image[] = [];
  for (const term of terms) {
    if (term.id !== undefined) {
      const image = byId.find((i) => i.id === term.id);
      if (image) selected.push(image);
      else unmatched.push(term);
    } else {
      const images = byAlias[aliasTerms.indexOf(term)] ?? [];
      // A version may match several builds: the newest per architecture.
      const newestPerArch = new Map<string, Image>();
      for (const image of [...images].sort(newestFirst)) if (!newestPerArch.has(image.architecture)) newestPerArch.set(image.architecture, image);
      if (newestPerArch.size === 0) unmatched.push(term);
      selected.push(...newestPerArch.values());
    }
  }
  const seen = new Set<string>();
  const images = selected
    .filter((i) => !seen.has(i.id) && seen.add(i.id))
    .sort((a, b) => (a.architecture < b.architecture ? -1 : a.architecture > b.architecture ? 1 : newestFirst(a, b)))
    .map((i) => ({ id: i.id, name: i.name, requirements: [{ key: LabelArch, operator: 'In', values: [i.architecture] }] }));
  return { images, unmatched };
}
