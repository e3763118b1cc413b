import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSimulator } from '../simulator/index.js';
import { createCloudProvider } from './index.js';

describe('createCloudProvider', () => {
  it('builds a provider for the embedded simulator from plain configuration', async () => {
    const sim = await startSimulator();
    try {
      const cloud = createCloudProvider({
        region: sim.region,
        ecsEndpoint: sim.endpoint,
        vpcEndpoint: sim.endpoint,
        protocol: 'http',
        credentials: { mode: 'accessKey', accessKeyId: sim.accessKeyId, accessKeySecret: sim.accessKeySecret },
      });
      assert.equal(cloud.region, sim.region);
      assert.ok((await cloud.listZones()).length > 0);
    } finally {
      await sim.close();
    }
  });

  it('rejects an invalid configuration, naming the field', () => {
    assert.throws(
      () => createCloudProvider({ region: 'cn-hangzhou', credentials: { mode: 'accessKey', accessKeyId: 'id' } as never }),
      /accessKeySecret/,
    );
  });
});
