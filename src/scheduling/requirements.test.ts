import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Requirement, Requirements } from './requirements.js';

describe('Requirement', () => {
  it('In intersected with In keeps the common values', () => {
    const r = Requirement.of('zone', 'In', ['a', 'b']).intersection(Requirement.of('zone', 'In', ['b', 'c']));
    assert.deepEqual([...r.values], ['b']);
    assert.equal(r.operator, 'In');
  });

  it('NotIn removes values from In and unions with NotIn', () => {
    const a = Requirement.of('zone', 'In', ['a', 'b']).intersection(Requirement.of('zone', 'NotIn', ['a']));
    assert.deepEqual([...a.values], ['b']);
    const b = Requirement.of('zone', 'NotIn', ['a']).intersection(Requirement.of('zone', 'NotIn', ['b']));
    assert.equal(b.operator, 'NotIn');
    assert.equal(b.has('a'), false);
    assert.equal(b.has('b'), false);
    assert.equal(b.has('c'), true);
  });

  it('Exists allows any value and DoesNotExist none', () => {
    assert.equal(Requirement.of('k', 'Exists').has('anything'), true);
    assert.equal(Requirement.of('k', 'DoesNotExist').has('anything'), false);
    assert.equal(Requirement.of('k', 'Exists').intersection(Requirement.of('k', 'DoesNotExist')).operator, 'DoesNotExist');
  });

  it('Gt and Lt bound integer values and reject non-integers', () => {
    const r = Requirement.of('cpu', 'Gt', ['3']).intersection(Requirement.of('cpu', 'Lt', ['9']));
    assert.equal(r.has('3'), false);
    assert.equal(r.has('4'), true);
    assert.equal(r.has('8'), true);
    assert.equal(r.has('9'), false);
    assert.equal(r.has('x'), false);
    assert.equal(Requirement.of('cpu', 'Gt', ['3']).intersection(Requirement.of('cpu', 'In', ['2', '4', 'x'])).toString(), 'cpu In [4]');
    assert.equal(Requirement.of('cpu', 'Gt', ['5']).intersection(Requirement.of('cpu', 'Lt', ['6'])).operator, 'DoesNotExist');
  });

  it('keeps the larger minValues on intersection', () => {
    const r = Requirement.of('family', 'Exists', [], 3).intersection(Requirement.of('family', 'In', ['a', 'b', 'c', 'd'], 5));
    assert.equal(r.minValues, 5);
  });

  it('two exclusions never conflict, as in Karpenter', () => {
    assert.equal(Requirement.of('k', 'NotIn', ['a']).intersects(Requirement.of('k', 'DoesNotExist')), true);
    assert.equal(Requirement.of('k', 'In', ['a']).intersects(Requirement.of('k', 'DoesNotExist')), false);
  });
});

describe('Requirements', () => {
  it('compatible denies undefined custom labels unless the incoming one is an exclusion', () => {
    const node = Requirements.fromNodeSelector([{ key: 'zone', operator: 'In', values: ['a'] }]);
    assert.match(node.compatible(Requirements.fromLabels({ team: 'x' })) ?? '', /does not have known values/);
    assert.equal(node.compatible(Requirements.fromNodeSelector([{ key: 'team', operator: 'NotIn', values: ['x'] }])), undefined);
    assert.equal(node.compatible(Requirements.fromLabels({ team: 'x' }), new Set(['team'])), undefined);
  });

  it('compatible reports non-overlapping values', () => {
    const node = Requirements.fromLabels({ 'kubernetes.io/arch': 'amd64' });
    assert.match(node.compatible(Requirements.fromLabels({ 'kubernetes.io/arch': 'arm64' })) ?? '', /kubernetes.io\/arch/);
  });

  it('add intersects requirements on the same key', () => {
    const r = new Requirements().add(Requirement.of('zone', 'In', ['a', 'b'])).add(Requirement.of('zone', 'In', ['b']));
    assert.equal(r.get('zone').single(), 'b');
    assert.equal(r.get('other').operator, 'Exists');
    assert.deepEqual(r.labels(), { zone: 'b' });
  });

  it('round-trips to node selector requirements', () => {
    const src = [
      { key: 'a', operator: 'In' as const, values: ['2', '1'] },
      { key: 'b', operator: 'Gt' as const, values: ['4'] },
      { key: 'c', operator: 'Exists' as const, minValues: 2 },
    ];
    assert.deepEqual(Requirements.fromNodeSelector(src).toNodeSelector(), [
      { key: 'a', operator: 'In', values: ['1', '2'] },
      { key: 'b', operator: 'Gt', values: ['4'] },
      { key: 'c', operator: 'Exists', minValues: 2 },
    ]);
  });
});
