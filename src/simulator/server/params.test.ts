import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { p, parseParams, unflatten } from './params.js';

describe('unflatten', () => {
  it('rebuilds repeated lists, nested objects and lists of objects from RPC keys', () => {
    assert.deepEqual(
      unflatten({
        RegionId: 'cn-hangzhou',
        'Tag.2.Key': 'b',
        'Tag.1.Key': 'a',
        'Tag.1.Value': 'x',
        'InstanceId.1': 'i-1',
        'InstanceId.10': 'i-10',
        'InstanceId.2': 'i-2',
        'LaunchConfiguration.SystemDiskSize': '40',
        'LaunchTemplateConfig.1.VSwitchId': 'vsw-1',
      }),
      {
        RegionId: 'cn-hangzhou',
        Tag: [{ Key: 'a', Value: 'x' }, { Key: 'b' }],
        InstanceId: ['i-1', 'i-2', 'i-10'],
        LaunchConfiguration: { SystemDiskSize: '40' },
        LaunchTemplateConfig: [{ VSwitchId: 'vsw-1' }],
      },
    );
  });
});

describe('parseParams', () => {
  const schema = z.object({ RegionId: p.nonEmpty(), Amount: p.int().optional(), Items: p.list(z.object({ Name: p.nonEmpty() })).optional() });

  it('coerces strings and names a missing nested parameter the API way', () => {
    assert.deepEqual(parseParams(schema, { RegionId: 'r', Amount: '3' }), { RegionId: 'r', Amount: 3 });
    assert.throws(
      () => parseParams(schema, { RegionId: 'r', Items: [{ Name: 'a' }, {}] }),
      (err: ApiError) => err.code === 'MissingItems2Name' && err.message === 'Items.2.Name is mandatory for this action.',
    );
    assert.throws(() => parseParams(schema, { RegionId: 'r', Amount: 'x' }), (err: ApiError) => err.code === 'InvalidParameter');
  });
});
