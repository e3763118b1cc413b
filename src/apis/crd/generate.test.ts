import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CrdDefinitions } from './definitions.js';
import { GeneratedHeader, crdFileName, renderCrdYaml } from './generate.js';
import { NonStructuralSchemaError, toStructural } from './structural.js';

const crdDir = join(import.meta.dirname, '..', '..', '..', 'crds');

describe('generated CRDs', () => {
  for (const definition of CrdDefinitions) {
    it(`crds/${crdFileName(definition)} is what the zod schema generates (run npm run gen:crds)`, () => {
      const onDisk = readFileSync(join(crdDir, crdFileName(definition)), 'utf8');
      assert.equal(onDisk, renderCrdYaml(definition));
    });
  }

  it('crds/ holds no generated file for a kind that no longer exists', () => {
    const expected = new Set(CrdDefinitions.map(crdFileName));
    const stale = readdirSync(crdDir).filter(
      (file) => file.endsWith('.yaml') && !expected.has(file) && readFileSync(join(crdDir, file), 'utf8').startsWith(GeneratedHeader),
    );
    assert.deepEqual(stale, []);
  });

  it('serve each kind with a status subresource, printer columns and CEL rules', () => {
    for (const definition of CrdDefinitions) {
      const crd = parse(renderCrdYaml(definition));
      const version = crd.spec.versions[0];
      assert.deepEqual(version.subresources, { status: {} }, definition.kind);
      assert.ok(version.additionalPrinterColumns.some((column: { name: string }) => column.name === 'Age'), definition.kind);
    }
    const nodePool = parse(renderCrdYaml(CrdDefinitions[0]!));
    const disruption = nodePool.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.disruption;
    assert.deepEqual(disruption.default, { consolidateAfter: '0s' });
    assert.equal(disruption.properties.consolidationPolicy.default, 'WhenEmptyOrUnderutilized');
  });
});

describe('toStructural', () => {
  it('turns the int-or-string marker into the only union the API server allows', () => {
    const schema = toStructural({
      anyOf: [{ type: 'integer', minimum: -Number.MAX_SAFE_INTEGER }, { type: 'string', pattern: 'x' }],
      'x-kubernetes-int-or-string': true,
      pattern: '^q$',
    });
    assert.deepEqual(schema, { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^q$' });
  });

  it('refuses other unions, which are not structural', () => {
    assert.throws(
      () => toStructural({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'boolean' }] } } }),
      (error) => error instanceof NonStructuralSchemaError && /\.a: unions are not structural/.test(error.message),
    );
  });

  it('refuses a node without a type and keywords CRDs do not support', () => {
    assert.throws(() => toStructural({ properties: {} }), /needs a type/);
    assert.throws(() => toStructural({ type: 'string', $ref: '#/x' }), /keyword \$ref/);
  });

  it('drops zod\'s integer range bounds but keeps real ones', () => {
    assert.deepEqual(toStructural({ type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 }), {
      type: 'integer',
      format: 'int32',
      minimum: 1,
    });
  });
});
