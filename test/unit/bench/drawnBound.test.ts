/**
 * The bench's bound from drawn latencies: the longest path through the plan's graph where each resource
 * weighs what its own ARM operation took in the run.
 */
import { drawnCriticalPath, type DrawnLatency, reversedPlan } from '../../../bench/drawnBound';
import type { Plan, PlannedResource } from '../../../src/cluster/plan/types';

const RG = '/subscriptions/s/resourceGroups/rg/providers';

function resource(name: string, type: string, dependsOn: string[] = [], owned = true): PlannedResource {
  return {
    id: `${RG}/${type}/${name}`,
    type: type as PlannedResource['type'],
    name,
    role: 'network' as PlannedResource['role'],
    dependsOn: dependsOn.map((d) => d),
    owned,
    body: {},
  };
}

// vnet → nic-a → vm-a, vnet → nic-b → vm-b; a vault with no operation (ARM answers at once) → vm-b;
// a brought NSG the vnet depends on.
const nsg = resource('nsg', 'Microsoft.Network/networkSecurityGroups', [], false);
const vnet = resource('vnet', 'Microsoft.Network/virtualNetworks', [nsg.id]);
const vault = resource('kv', 'Microsoft.KeyVault/vaults');
const nicA = resource('nic-a', 'Microsoft.Network/networkInterfaces', [vnet.id]);
const nicB = resource('nic-b', 'Microsoft.Network/networkInterfaces', [vnet.id]);
const vmA = resource('vm-a', 'Microsoft.Compute/virtualMachines', [nicA.id]);
const vmB = resource('vm-b', 'Microsoft.Compute/virtualMachines', [nicB.id, vault.id]);
const plan: Plan = {
  cluster: {
    name: 'c',
    type: 'iaas',
    subscriptionId: 's',
    resourceGroup: 'rg',
    location: 'eastus',
    zones: ['1'],
  },
  resources: [nsg, vnet, vault, nicA, nicB, vmA, vmB],
};

let seq = 0;
const draw = (r: PlannedResource, durationMs: number, kind: 'write' | 'delete' = 'write'): DrawnLatency => ({
  id: r.id,
  kind,
  seq: ++seq,
  durationMs,
});

test('the bound is the longest path of drawn latencies, not of any per-type constant', () => {
  // vm-a drew a long tail: its path (vnet 4 + nic-a 2 + vm-a 300) is the critical one.
  const draws = [draw(vnet, 4), draw(nicA, 2), draw(nicB, 3), draw(vmA, 300), draw(vmB, 50)];
  const bound = drawnCriticalPath(plan, draws, 'write');
  expect(bound.boundMs).toBe(306);
  // Swap the tails: now the other chain is the critical one.
  const swapped = [draw(vnet, 4), draw(nicA, 2), draw(nicB, 3), draw(vmA, 50), draw(vmB, 300)];
  expect(drawnCriticalPath(plan, swapped, 'write').boundMs).toBe(307);
});

test('a resource never drawn weighs 0 and is listed; a brought resource is neither weighed nor listed', () => {
  const bound = drawnCriticalPath(
    plan,
    [draw(vnet, 4), draw(nicA, 2), draw(vmA, 60), draw(vmB, 10)],
    'write',
  );
  expect(bound.notDrawn.sort()).toEqual([nicB.id, vault.id].sort());
  expect(bound.weightMs.get(vault.id.toLowerCase())).toBe(0);
  expect(bound.weightMs.has(nsg.id.toLowerCase())).toBe(false);
  expect(bound.boundMs).toBe(66);
});

test('a resource drawn more than once counts its first draw only and is listed', () => {
  const draws = [draw(vnet, 4), draw(nicA, 2), draw(vmA, 60), draw(nicB, 2), draw(vmB, 20), draw(vmB, 500)];
  const bound = drawnCriticalPath(plan, draws, 'write');
  expect(bound.drawnMoreThanOnce).toEqual([vmB.id]);
  expect(bound.weightMs.get(vmB.id.toLowerCase())).toBe(20);
  expect(bound.boundMs).toBe(66);
});

test('ids match without regard to case; other clusters and the other kind of operation are ignored', () => {
  const draws = [
    { ...draw(vnet, 4), id: vnet.id.toUpperCase() },
    draw(nicA, 2),
    draw(vmA, 60),
    draw(vmA, 9_000, 'delete'),
    {
      id: `${RG}/Microsoft.Compute/virtualMachines/other-cluster-vm`,
      kind: 'write' as const,
      seq: ++seq,
      durationMs: 9_000,
    },
  ];
  expect(drawnCriticalPath(plan, draws, 'write').boundMs).toBe(66);
});

test('a delete is bounded on the reverse graph: a VM goes before its NIC, the NIC before the VNet', () => {
  const reversed = reversedPlan(plan);
  expect(reversed.resources.find((r) => r.id === nicA.id)?.dependsOn).toEqual([vmA.id]);
  expect(reversed.resources.find((r) => r.id === vnet.id)?.dependsOn.sort()).toEqual(
    [nicA.id, nicB.id].sort(),
  );
  expect(reversed.resources.some((r) => r.id === nsg.id)).toBe(false);
  const draws = [
    draw(vmA, 40, 'delete'),
    draw(nicA, 2, 'delete'),
    draw(vnet, 3, 'delete'),
    draw(vmB, 10, 'delete'),
    draw(nicB, 2, 'delete'),
  ];
  expect(drawnCriticalPath(reversed, draws, 'delete').boundMs).toBe(45);
  // A resource the VM needed goes only after the VM: the vault's delete starts after vm-b's ends.
  expect(reversed.resources.find((r) => r.id === vault.id)?.dependsOn).toEqual([vmB.id]);
  expect(drawnCriticalPath(reversed, [...draws, draw(vault, 100, 'delete')], 'delete').boundMs).toBe(110);
});

test('a Flexible scale set weighs its slowest member (NIC then VM), members being no planned resources', () => {
  const set = resource('c-general-z1', 'Microsoft.Compute/virtualMachineScaleSets', [vnet.id]);
  const withSet: Plan = { ...plan, resources: [nsg, vnet, set] };
  const member = (name: string, type: string): PlannedResource => resource(name, type);
  const m1 = member('c-general-z1_0a1b2c3d', 'Microsoft.Compute/virtualMachines');
  const m1Nic = member('c-general-z1_0a1b2c3d-nic', 'Microsoft.Network/networkInterfaces');
  const m2 = member('c-general-z1_99999999', 'Microsoft.Compute/virtualMachines');
  const m2Nic = member('c-general-z1_99999999-nic', 'Microsoft.Network/networkInterfaces');
  // Another set whose name starts the same must not count.
  const other = member('c-general-z10_11111111', 'Microsoft.Compute/virtualMachines');
  const draws = [
    draw(vnet, 4),
    draw(set, 1),
    draw(m1Nic, 2),
    draw(m1, 60),
    draw(m2Nic, 30),
    draw(m2, 40),
    draw(other, 900),
  ];
  const bound = drawnCriticalPath(withSet, draws, 'write');
  expect(bound.weightMs.get(set.id.toLowerCase())).toBe(70);
  expect(bound.boundMs).toBe(74);
  // A delete: the slowest member VM's delete, no NIC term.
  const deletes = [
    draw(set, 1, 'delete'),
    draw(m1, 9, 'delete'),
    draw(m2, 12, 'delete'),
    draw(m2Nic, 50, 'delete'),
  ];
  expect(drawnCriticalPath(reversedPlan(withSet), deletes, 'delete').weightMs.get(set.id.toLowerCase())).toBe(
    12,
  );
});
