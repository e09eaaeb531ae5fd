import { type Plan, planCriticalPath, PlanGraphError, type PlannedResource } from '../../../src/cluster/plan';

function r(id: string, dependsOn: string[], owned = true): PlannedResource {
  return {
    id,
    type: 'Microsoft.Network/virtualNetworks',
    name: id,
    role: 'vnet',
    dependsOn,
    owned,
    body: {},
  };
}
const plan = (...resources: PlannedResource[]): Plan => ({
  cluster: {
    name: 'c',
    type: 'iaas',
    subscriptionId: 's',
    resourceGroup: 'rg',
    location: 'eastus',
    zones: [],
  },
  resources,
});
const latency: Record<string, number> = { a: 5, b: 10, c: 1, d: 7 };
const weigh = (resource: PlannedResource) => latency[resource.id] ?? 0;

describe('planCriticalPath', () => {
  it.each<[string, Plan, number]>([
    ['an empty plan', plan(), 0],
    ['one resource', plan(r('a', [])), 5],
    ['independent resources run in parallel', plan(r('a', []), r('b', [])), 10],
    ['a chain adds up', plan(r('a', []), r('b', ['a']), r('c', ['b'])), 16],
    [
      'a diamond takes the longer arm',
      plan(r('a', []), r('b', ['a']), r('c', ['a']), r('d', ['b', 'c'])),
      22,
    ],
    ['brought resources weigh nothing', plan(r('b', [], false), r('a', ['b'])), 5],
    ['dependencies outside the plan are ignored', plan(r('a', ['elsewhere'])), 5],
    ['ids compare case-insensitively, as ARM does', plan(r('A', []), r('b', ['a'])), 10],
  ])('%s', (_name, p, expected) => {
    expect(planCriticalPath(p, weigh)).toBe(expected);
  });

  it('rejects a cycle', () => {
    expect(() => planCriticalPath(plan(r('a', ['b']), r('b', ['a'])), weigh)).toThrow(PlanGraphError);
  });
});
