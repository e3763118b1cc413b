// Public images: ContainerOS and Alibaba Cloud Linux 3, each in x86_64 and arm64, with a few dated
// versions per family, named like the real ones (the name ends in _YYYYMMDD).
import type { Tags } from './tags.js';

export type ImageArchitecture = 'x86_64' | 'arm64';

export interface ImageRecord {
  id: string;
  name: string;
  family: string;
  version: string;
  architecture: ImageArchitecture;
  osName: string;
  osNameEn: string;
  platform: string;
  description: string;
  sizeGiB: number;
  creationTime: string;
  ownerAlias: 'system' | 'self' | 'others' | 'marketplace';
  tags: Tags;
}

export interface ImageFamilyDefinition {
  family: string;
  architecture: ImageArchitecture;
  /** Name before the version, e.g. aliyun_3_x64_20G_alibase. */
  namePrefix: string;
  osName: string;
  osNameEn: string;
  platform: string;
  sizeGiB: number;
}

export const defaultImageFamilies: ImageFamilyDefinition[] = [
  {
    family: 'acs:containeros_3_x64',
    architecture: 'x86_64',
    namePrefix: 'lifsea_3_x64_10G_containerd_1_7_alibase',
    osName: 'ContainerOS 3 64位',
    osNameEn: 'ContainerOS 3 64 bit',
    platform: 'Aliyun',
    sizeGiB: 10,
  },
  {
    family: 'acs:containeros_3_arm64',
    architecture: 'arm64',
    namePrefix: 'lifsea_3_arm64_10G_containerd_1_7_alibase',
    osName: 'ContainerOS 3 64位 ARM版',
    osNameEn: 'ContainerOS 3 64 bit ARM Edition',
    platform: 'Aliyun',
    sizeGiB: 10,
  },
  {
    family: 'acs:alibaba_cloud_linux_3_2104_lts_x64',
    architecture: 'x86_64',
    namePrefix: 'aliyun_3_x64_20G_alibase',
    osName: 'Alibaba Cloud Linux  3.2104 LTS 64位',
    osNameEn: 'Alibaba Cloud Linux  3.2104 LTS 64 bit',
    platform: 'Aliyun',
    sizeGiB: 20,
  },
  {
    family: 'acs:alibaba_cloud_linux_3_2104_lts_arm64',
    architecture: 'arm64',
    namePrefix: 'aliyun_3_arm64_20G_alibase',
    osName: 'Alibaba Cloud Linux  3.2104 LTS 64位 ARM版',
    osNameEn: 'Alibaba Cloud Linux  3.2104 LTS 64 bit ARM Edition',
    platform: 'Aliyun',
    sizeGiB: 20,
  },
];

export const defaultImageVersions = ['20241218', '20250325', '20250601'];

export function imageArchitectureOf(cpuArchitecture: 'X86' | 'ARM'): ImageArchitecture {
  return cpuArchitecture === 'ARM' ? 'arm64' : 'x86_64';
}
