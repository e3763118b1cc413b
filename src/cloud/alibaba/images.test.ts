import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Image } from '../types.js';
import { aliasOfFamily, imageFamiliesFor, selectAliasImages, toImage, versionOf } from './images.js';

const image = (name: string, architecture: Image['architecture'], creationTime: string): Image => ({
  id: `m-${name}`,
  name,
  family: 'ContainerOS',
  version: versionOf({ imageName: name, imageVersion: '' }),
  architecture,
  creationTime,
});

describe('image aliases', () => {
  it('map to the public image families per architecture', () => {
    assert.deepEqual(imageFamiliesFor('ContainerOS', 'amd64'), [{ family: 'acs:containeros_3_x64', architecture: 'amd64' }]);
    assert.deepEqual(imageFamiliesFor('AlibabaCloudLinux3'), [
      { family: 'acs:alibaba_cloud_linux_3_2104_lts_x64', architecture: 'amd64' },
      { family: 'acs:alibaba_cloud_linux_3_2104_lts_arm64', architecture: 'arm64' },
    ]);
    assert.equal(aliasOfFamily('acs:containeros_3_arm64'), 'ContainerOS');
    assert.equal(aliasOfFamily('acs:ubuntu_22_04_x64'), undefined);
  });

  it('latest picks the newest image per architecture', () => {
    const images = [
      image('lifsea_3_x64_10G_containerd_1_7_alibase_20241218', 'amd64', '2024-12-18T00:00:00Z'),
      image('lifsea_3_x64_10G_containerd_1_7_alibase_20250601', 'amd64', '2025-06-01T00:00:00Z'),
      image('lifsea_3_x64_10G_containerd_1_7_alibase_20250325', 'amd64', '2025-03-25T00:00:00Z'),
      image('lifsea_3_arm64_10G_containerd_1_7_alibase_20250325', 'arm64', '2025-03-25T00:00Z'),
    ];
    const latest = selectAliasImages(images, 'latest');
    assert.deepEqual(latest.map((i) => i.version).sort(), ['20250325', '20250601']);
    assert.deepEqual(selectAliasImages(images, undefined), latest);
  });

  it('a concrete version selects the images whose name ends with it', () => {
    const images = [
      image('aliyun_3_x64_20G_alibase_20250325.vhd', 'amd64', '2025-03-25T00:00:00Z'),
      image('aliyun_3_x64_20G_alibase_20250601.vhd', 'amd64', '2025-06-01T00:00:00Z'),
    ];
    assert.deepEqual(selectAliasImages(images, '20250325').map((i) => i.name), ['aliyun_3_x64_20G_alibase_20250325.vhd']);
    assert.deepEqual(selectAliasImages(images, '20990101'), []);
  });

  it('reads DescribeImages models, skipping architectures nodes cannot run', () => {
    const model = {
      imageId: 'm-1',
      imageName: 'aliyun_3_arm64_20G_alibase_20250601.vhd',
      imageFamily: 'acs:alibaba_cloud_linux_3_2104_lts_arm64',
      imageVersion: '',
      architecture: 'arm64',
      creationTime: '2025-06-01T00:00:00Z',
    };
    assert.deepEqual(toImage(model), {
      id: 'm-1',
      name: 'aliyun_3_arm64_20G_alibase_20250601.vhd',
      family: 'AlibabaCloudLinux3',
      version: '20250601',
      architecture: 'arm64',
      creationTime: '2025-06-01T00:00:00Z',
    });
    assert.equal(toImage({ ...model, architecture: 'i386' }), undefined);
  });
});
