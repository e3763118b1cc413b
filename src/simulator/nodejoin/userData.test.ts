import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeUserData, parseUserData } from './userData.js';

describe('user-data contract', () => {
  it('round-trips the bootstrap line after the user script, quotes included', () => {
    const userData = encodeUserData(
      { labels: { team: "o'brien" }, taints: [{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }], kubelet: { maxPods: 29 } },
      '#!/bin/bash\necho user script',
    );
    const script = Buffer.from(userData, 'base64').toString('utf8');
    assert.match(script, /^#!\/bin\/bash\necho user script\nexport ACK_NODE_BOOTSTRAP='/);
    assert.deepEqual(parseUserData(userData), {
      labels: { team: "o'brien" },
      taints: [{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }],
      kubelet: { maxPods: 29 },
    });
  });

  it('answers undefined for a script without the bootstrap line, and throws for a malformed one', () => {
    assert.equal(parseUserData(Buffer.from('#!/bin/sh\necho hi\n').toString('base64')), undefined);
    assert.equal(parseUserData(undefined), undefined);
    const bad = Buffer.from(`export ACK_NODE_BOOTSTRAP='{"taints":[{"key":"a","effect":"Sometimes"}]}'\n`).toString('base64');
    assert.throws(() => parseUserData(bad));
  });
});
