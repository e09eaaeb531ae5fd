import {
  type ExistingNode,
  type NodePlacement,
  placeNodesAcrossZones,
} from '../../../src/cluster/plan/placement';

const zones = ['1', '2', '3'];
const pairs = (nodes: NodePlacement[]) => nodes.map((node) => `${node.name}@${node.zone ?? '-'}`);
const existing = (nodes: NodePlacement[]): ExistingNode[] =>
  nodes.map(({ name, zone }) => ({ name, ...(zone !== undefined ? { zone } : {}) }));

describe('placeNodesAcrossZones', () => {
  it('places a fresh pool round-robin with stable names', () => {
    expect(pairs(placeNodesAcrossZones('demo-pool1', zones, 5))).toEqual([
      'demo-pool1-0@1',
      'demo-pool1-1@2',
      'demo-pool1-2@3',
      'demo-pool1-3@1',
      'demo-pool1-4@2',
    ]);
  });

  it('places nodes without a zone when there are no zones', () => {
    expect(placeNodesAcrossZones('demo-cp', [], 3)).toEqual([
      { name: 'demo-cp-0', index: 0 },
      { name: 'demo-cp-1', index: 1 },
      { name: 'demo-cp-2', index: 2 },
    ]);
  });

  it('places zero nodes', () => {
    expect(placeNodesAcrossZones('demo-p', zones, 0)).toEqual([]);
  });

  it('grows an unbalanced pool into its emptiest zones without renaming anyone', () => {
    const grown = placeNodesAcrossZones('demo-p', zones, 4, [
      { name: 'demo-p-0', zone: '1' },
      { name: 'demo-p-1', zone: '1' },
    ]);
    expect(pairs(grown)).toEqual(['demo-p-0@1', 'demo-p-1@1', 'demo-p-2@2', 'demo-p-3@3']);
  });

  it('reuses the smallest free index', () => {
    const grown = placeNodesAcrossZones('demo-p', zones, 3, [
      { name: 'demo-p-0', zone: '1' },
      { name: 'demo-p-2', zone: '3' },
    ]);
    expect(pairs(grown)).toEqual(['demo-p-0@1', 'demo-p-1@2', 'demo-p-2@3']);
  });

  it('shrinks from the fullest zone first, highest index there', () => {
    const shrunk = placeNodesAcrossZones('demo-p', zones, 4, [
      { name: 'demo-p-0', zone: '1' },
      { name: 'demo-p-1', zone: '2' },
      { name: 'demo-p-2', zone: '3' },
      { name: 'demo-p-3', zone: '1' },
      { name: 'demo-p-5', zone: '1' },
    ]);
    expect(pairs(shrunk)).toEqual(['demo-p-0@1', 'demo-p-1@2', 'demo-p-2@3', 'demo-p-3@1']);
  });

  it('removes nodes in zones no longer listed first', () => {
    const shrunk = placeNodesAcrossZones('demo-p', ['1', '2'], 2, [
      { name: 'demo-p-0', zone: '1' },
      { name: 'demo-p-1', zone: '2' },
      { name: 'demo-p-2', zone: '3' },
    ]);
    expect(pairs(shrunk)).toEqual(['demo-p-0@1', 'demo-p-1@2']);
  });

  it('keeps existing nodes whose names do not follow the pattern', () => {
    const grown = placeNodesAcrossZones('demo-p', zones, 2, [{ name: 'legacy-node', zone: '2' }]);
    expect(grown).toEqual([
      { name: 'legacy-node', index: -1, zone: '2' },
      { name: 'demo-p-0', index: 0, zone: '1' },
    ]);
  });

  it('agrees with a fresh placement after growing or shrinking one', () => {
    for (let from = 0; from <= 10; from++) {
      for (let to = 0; to <= 10; to++) {
        const resized = placeNodesAcrossZones(
          'p',
          zones,
          to,
          existing(placeNodesAcrossZones('p', zones, from)),
        );
        expect(resized).toEqual(placeNodesAcrossZones('p', zones, to));
      }
    }
  });

  it('rejects a negative or fractional count', () => {
    expect(() => placeNodesAcrossZones('p', zones, -1)).toThrow(RangeError);
    expect(() => placeNodesAcrossZones('p', zones, 1.5)).toThrow(/whole number/);
  });
});
