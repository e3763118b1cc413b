// The upstream documentation examples parse with our zod schemas, and zod fills in the same
// defaults upstream's CRDs do (the integration test checks the API server side).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssues, schemaFor } from '../../../src/apis/index.js';
import { containsSubset, expectedDefaults, upstreamExamples } from '../../fixtures/fixtures.js';

describe('upstream examples', () => {
  const examples = upstreamExamples();

  it('cover every kind users write: NodePool, ECSNodeClass and PodNetworking', () => {
    const kinds = new Set(examples.flatMap((example) => example.objects.map((object) => object.kind)));
    for (const kind of ['NodePool', 'ECSNodeClass', 'PodNetworking', 'Deployment']) assert.ok(kinds.has(kind), kind);
  });

  for (const example of examples) {
    for (const object of example.objects) {
      const schema = schemaFor(object.apiVersion, object.kind);
      if (!schema) continue; // Deployments and StatefulSets: the API server's business
      const key = `${object.kind}/${object.metadata.name}`;
      it(`${example.file}: ${key} parses, with upstream's defaults`, () => {
        const result = schema.safeParse(object);
        assert.ok(result.success, result.success ? '' : formatIssues(result.error));
        const expected = expectedDefaults[key];
        assert.ok(expected, `no expected defaults recorded for ${key}`);
        const parsed = result.data as { spec: unknown };
        assert.deepEqual(containsSubset(parsed.spec, expected), []);
      });
    }
  }
});
