// The e2e environment itself: the operator process, running with nothing but the chart's
// ServiceAccount token, syncs every informer, reaches the simulated cloud and takes its Lease.
// Every other e2e test builds on this; if the chart's RBAC lacks a list or watch the operator's
// informers need, this is the test that says so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { startE2e, type E2eEnv } from '../harness/e2e.js';
import { sampleValue } from '../harness/operator-process.js';

describe('the operator under the chart ServiceAccount', () => {
  let env: E2eEnv;
  before(async () => {
    env = await startE2e();
  });
  after(async () => {
    await env?.stop();
  });

  it('becomes ready and leads, authenticated as the chart ServiceAccount', async () => {
    const lease = z.object({ spec: z.object({ holderIdentity: z.string() }) })
      .parse(await env.getJson(['lease', '-n', env.identity.namespace, env.identity.leaseName]));
    assert.match(lease.spec.holderIdentity, /^operator-0/);
    const metrics = await env.operator.metrics();
    assert.equal(sampleValue(metrics, 'leader_election_master_status'), 1);
    assert.ok(sampleValue(metrics, 'aliyun_openapi_requests_total') > 0, 'the operator reached the simulated cloud through the SDK');
    const log = await env.operator.log();
    assert.doesNotMatch(log, /forbidden/i, 'no request of the operator was refused by RBAC');
  });
});
