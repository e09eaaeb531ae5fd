import { planCluster, type PlannedResource } from '../../../src/cluster/plan';
import {
  OrchestrationChangeError,
  poolOrchestration,
  splitCapacity,
} from '../../../src/cluster/plan/scaleSets';
import { type ClusterSpec, FLEX_POOL_MIN_COUNT } from '../../../src/cluster/spec';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { iaasInput, SUBSCRIPTION_ID } from './fixtures';

function specWith(pools: Record<string, unknown>[]): ClusterSpec {
  const result = parseClusterSpec({ ...iaasInput(), nodePools: pools });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const capacityOf = (r: PlannedResource): unknown => (r.body['sku'] as { capacity?: number }).capacity;

describe('splitCapacity', () => {
  it('splits a new pool evenly, the earlier zones taking the remainder', () => {
    expect(splitCapacity(['1', '2', '3'], 7)).toEqual({ '1': 3, '2': 2, '3': 2 });
    expect(splitCapacity(['1', '2', '3'], 997)).toEqual({ '1': 333, '2': 332, '3': 332 });
    expect(splitCapacity(['1', '2'], 0)).toEqual({ '1': 0, '2': 0 });
    expect(splitCapacity([], 5)).toEqual({ '': 5 });
  });

  it('keeps every zone’s members and places only the difference', () => {
    // Grow: the emptiest zones first (ties: the earlier zone), existing members never move.
    expect(splitCapacity(['1', '2', '3'], 9, { '1': 1, '2': 4, '3': 2 })).toEqual({ '1': 3, '2': 4, '3': 2 });
    // Shrink: from the fullest zones (ties: the later zone).
    expect(splitCapacity(['1', '2', '3'], 5, { '1': 2, '2': 2, '3': 3 })).toEqual({ '1': 2, '2': 2, '3': 1 });
    // Unchanged count: unchanged zones, even when uneven.
    expect(splitCapacity(['1', '2', '3'], 6, { '1': 1, '2': 4, '3': 1 })).toEqual({ '1': 1, '2': 4, '3': 1 });
  });

  it('empties a zone no longer listed first and drops its set once empty; never moves nodes otherwise', () => {
    expect(splitCapacity(['1', '2'], 3, { '1': 2, '2': 1, '3': 1 })).toEqual({ '1': 2, '2': 1 });
    expect(splitCapacity(['1', '2'], 4, { '1': 1, '2': 1, '3': 2 })).toEqual({ '1': 1, '2': 1, '3': 2 });
  });

  it('refuses a count that is not a whole number ≥ 0', () => {
    expect(() => splitCapacity(['1'], -1)).toThrow(RangeError);
  });
});

describe('pool orchestration', () => {
  it('gives a new pool FlexibleScaleSet from the threshold on, VirtualMachines below', () => {
    expect(poolOrchestration({ count: FLEX_POOL_MIN_COUNT }, 0, undefined)).toBe('FlexibleScaleSet');
    expect(poolOrchestration({ count: FLEX_POOL_MIN_COUNT - 1 }, 0, undefined)).toBe('VirtualMachines');
    expect(poolOrchestration({ count: 3, orchestration: 'FlexibleScaleSet' }, 0, undefined)).toBe(
      'FlexibleScaleSet',
    );
  });

  it('keeps what an existing pool was built with, and refuses an explicit change naming the field', () => {
    expect(poolOrchestration({ count: 500 }, 0, 'VirtualMachines')).toBe('VirtualMachines');
    expect(poolOrchestration({ count: 5 }, 0, 'FlexibleScaleSet')).toBe('FlexibleScaleSet');
    expect(() =>
      poolOrchestration({ count: 5, orchestration: 'VirtualMachines' }, 2, 'FlexibleScaleSet'),
    ).toThrow(OrchestrationChangeError);
    expect(() =>
      poolOrchestration({ count: 5, orchestration: 'VirtualMachines' }, 2, 'FlexibleScaleSet'),
    ).toThrow(/nodePools\[2\]\.orchestration/);
  });

  it('plans a pool at the threshold as one set per zone, a smaller one as single VMs', () => {
    const spec = specWith([
      { name: 'big', count: FLEX_POOL_MIN_COUNT, vmSize: 'Standard_D4s_v5' },
      { name: 'small', count: 2, vmSize: 'Standard_D4s_v5' },
    ]);
    const plan = planCluster(spec, { subscriptionId: SUBSCRIPTION_ID });
    const sets = plan.resources.filter((r) => r.role === 'workerScaleSet');
    expect(sets.map((r) => [r.name, r.zone, capacityOf(r)])).toEqual([
      ['demo-big-z1', '1', 34],
      ['demo-big-z2', '2', 33],
      ['demo-big-z3', '3', 33],
    ]);
    expect(plan.resources.filter((r) => r.pool === 'big' && r.role !== 'workerScaleSet')).toEqual([]);
    expect(plan.resources.filter((r) => r.role === 'workerVm').map((r) => r.name)).toEqual([
      'demo-small-0',
      'demo-small-1',
    ]);
    // Control plane stays single VMs.
    expect(plan.resources.filter((r) => r.role === 'controlPlaneVm')).not.toHaveLength(0);
    const body = sets[0]?.body as {
      zones: string[];
      properties: {
        orchestrationMode: string;
        platformFaultDomainCount: number;
        virtualMachineProfile: {
          osProfile: { customData: string; adminPassword?: string };
          networkProfile: {
            networkApiVersion: string;
            networkInterfaceConfigurations: {
              properties: {
                deleteOption: string;
                ipConfigurations: { properties: Record<string, unknown> }[];
              };
            }[];
          };
        };
      };
    };
    expect(body.zones).toEqual(['1']);
    expect(body.properties.orchestrationMode).toBe('Flexible');
    expect(body.properties.platformFaultDomainCount).toBe(1);
    const profile = body.properties.virtualMachineProfile;
    expect(profile.osProfile.adminPassword).toBeUndefined();
    expect(Buffer.from(profile.osProfile.customData, 'base64').toString('utf8')).toContain("ROLE='worker'");
    const nic = profile.networkProfile.networkInterfaceConfigurations;
    expect(nic).toHaveLength(1);
    expect(nic[0]?.properties.deleteOption).toBe('Delete');
    expect(
      nic[0]?.properties.ipConfigurations[0]?.properties['publicIPAddressConfiguration'],
    ).toBeUndefined();
    // Waits for the worker subnet and identity like a worker VM.
    const vm = plan.resources.find((r) => r.role === 'workerVm');
    expect(sets[0]?.dependsOn).toEqual(expect.arrayContaining(vm?.dependsOn.slice(1) ?? ['x']));
  });

  it('keeps an existing Flexible pool as it is and existing VM pools as VMs', () => {
    const spec = specWith([
      { name: 'big', count: 10, vmSize: 'Standard_D4s_v5' },
      { name: 'vms', count: 150, vmSize: 'Standard_D4s_v5' },
    ]);
    const plan = planCluster(spec, {
      subscriptionId: SUBSCRIPTION_ID,
      existingScaleSets: { big: { '1': 5, '2': 1, '3': 1 } },
      existingNodes: { vms: [{ name: 'demo-vms-0', zone: '1' }] },
    });
    expect(
      plan.resources.filter((r) => r.role === 'workerScaleSet').map((r) => [r.name, capacityOf(r)]),
    ).toEqual([
      ['demo-big-z1', 5],
      ['demo-big-z2', 3],
      ['demo-big-z3', 2],
    ]);
    expect(plan.resources.filter((r) => r.pool === 'vms' && r.role === 'workerVm')).toHaveLength(150);
  });
});
