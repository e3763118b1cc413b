// imageSelectorTerms aliases, resolved through DescribeImages' ImageFamily filter on Alibaba
// Cloud's public (system) images.
//
// Upstream karpenter-provider-alibabacloud resolves AlibabaCloudLinux3 by listing every system
// Linux image (ImageOwnerAlias=system, OSType=linux, ActionType=CreateEcs) and keeping the ids
// matching aliyun_3_.*G_alibase_.*vhd, and carries the version inside the alias (Alias@version).
// We ask for the image family instead, which returns only that family's images and needs no
// name pattern, and take the version as a separate field.
import type { Architecture, Image } from '../types.js';
import type { ImageModel } from './schemas.js';

export const imageAliases = ['ContainerOS', 'AlibabaCloudLinux3'] as const;
export type ImageAlias = (typeof imageAliases)[number];

const familiesByAlias: Record<ImageAlias, Record<Architecture, string>> = {
  ContainerOS: { amd64: 'acs:containeros_3_x64', arm64: 'acs:containeros_3_arm64' },
  AlibabaCloudLinux3: {
    amd64: 'acs:alibaba_cloud_linux_3_2104_lts_x64',
    arm64: 'acs:alibaba_cloud_linux_3_2104_lts_arm64',
  },
};

export function isImageAlias(value: string): value is ImageAlias {
  return (imageAliases as readonly string[]).includes(value);
}

/** The ImageFamily values to ask for: one per architecture, or both when none is given. */
export function imageFamiliesFor(alias: ImageAlias, architecture?: Architecture): { family: string; architecture: Architecture }[] {
  const archs: Architecture[] = architecture ? [architecture] : ['amd64', 'arm64'];
  return archs.map((arch) => ({ family: familiesByAlias[alias][arch], architecture: arch }));
}

/** The alias whose family an API image family is, if any. */
export function aliasOfFamily(imageFamily: string): ImageAlias | undefined {
  for (const alias of imageAliases) {
    if (Object.values(familiesByAlias[alias]).includes(imageFamily)) return alias;
  }
  return undefined;
}

/** x86_64 and arm64 as DescribeImages spells them; undefined for i386 and others we cannot run. */
export function imageArchitectureOf(apiArchitecture: string): Architecture | undefined {
  const value = apiArchitecture.toLowerCase();
  if (value === 'x86_64' || value === 'amd64') return 'amd64';
  if (value === 'arm64' || value === 'aarch64') return 'arm64';
  return undefined;
}

/** The image name without a disk-format suffix: aliyun_3_x64_20G_alibase_20250601.vhd -> ..._20250601. */
function baseName(name: string): string {
  return name.replace(/\.(vhd|qcow2|raw)$/i, '');
}

/** The version of an image: ImageVersion when the API gives it, else the name's trailing _YYYYMMDD. */
export function versionOf(model: Pick<ImageModel, 'imageName' | 'imageVersion'>): string {
  if (model.imageVersion) return model.imageVersion;
  const match = /_(\d{8})$/.exec(baseName(model.imageName));
  return match?.[1] ?? '';
}

export function toImage(model: ImageModel): Image | undefined {
  const architecture = imageArchitectureOf(model.architecture);
  if (!architecture) return undefined;
  return {
    id: model.imageId,
    name: model.imageName,
    family: aliasOfFamily(model.imageFamily) ?? model.imageFamily,
    version: versionOf(model),
    architecture,
    creationTime: model.creationTime,
  };
}

function matchesVersion(image: Image, version: string): boolean {
  return image.version === version || baseName(image.name).endsWith(version);
}

/**
 * The images an alias selects among one family's images: for 'latest' (or no version) the newest
 * by CreationTime per architecture, else every image whose version or name ends with `version`.
 */
export function selectAliasImages(images: Image[], version: string | undefined): Image[] {
  if (version && version !== 'latest') return images.filter((image) => matchesVersion(image, version));
  const newest = new Map<Architecture, Image>();
  for (const image of images) {
    const current = newest.get(image.architecture);
    const newer = current ? Date.parse(image.creationTime) - Date.parse(current.creationTime) : 1;
    // Equal creation times (a re-published image) fall back to the name, so the choice is stable.
    if (newer > 0 || (newer === 0 && current && image.name > current.name)) {
      newest.set(image.architecture, image);
    }
  }
  return [...newest.values()];
}
