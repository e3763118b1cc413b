// Every object in test/fixtures/invalid is refused by zod with the message its header names
// (the integration test checks the API server refuses it with kubectl's message).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssues, schemaFor } from '../../../src/apis/index.js';
import { invalidCases } from '../../fixtures/fixtures.js';

describe('invalid objects', () => {
  const cases = invalidCases();

  it('form a corpus of at least 40', () => {
    assert.ok(cases.length >= 40, `only ${cases.length}`);
  });

  for (const invalid of cases) {
    it(`${invalid.file}: ${invalid.description}`, { skip: invalid.zodSkip }, () => {
      const schema = schemaFor(invalid.object.apiVersion, invalid.object.kind);
      assert.ok(schema, `no schema for ${invalid.object.apiVersion} ${invalid.object.kind}`);
      const result = schema.safeParse(invalid.object);
      assert.equal(result.success, false, 'zod accepted it');
      const message = formatIssues(result.error!);
      assert.ok(message.includes(invalid.expectZod), `expected "${invalid.expectZod}" in:\n${message}`);
    });
  }
});
