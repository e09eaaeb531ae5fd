import * as fs from 'node:fs';
import * as path from 'node:path';

import { keyVaultName } from '../../../src/cluster/bootstrap/names';
import { planCluster } from '../../../src/cluster/plan';
import {
  deletionWaves,
  provisioningWaves,
  type ScheduleUnit,
  zoneWaves,
} from '../../../src/cluster/plan/scheduleWaves';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';

function examplePlan(): Plan {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/iaas-cluster.yaml'), 'utf8');
  const parsed = parseClusterSpec(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: '00000000-0000-0000-0000-000000000000' });
}

/**
 * Unit keys; a role assignment (a GUID name) shows as `read:<what it grants read of>`, the
 * provisioner's own as `write:vault`.
 */
const keys = (waves: ScheduleUnit[][]): string[][] =>
  waves.map((w) =>
    w
      .map((u) => {
        const first = u.resources[0];
        if (u.resources.length === 1 && first?.role === 'vaultAppRoleAssignment') return 'write:vault';
        if (u.resources.length !== 1 || first?.role !== 'vaultRoleAssignment') return u.key;
        return first.id.includes('/secrets/') ? 'read:join-token' : 'read:vault';
      })
      .sort(),
  );

/** Every resource's dependencies are satisfied by an earlier wave or earlier in its own unit. */
function expectOrderRespected(plan: Plan, waves: ScheduleUnit[][], reverse = false): void {
  const position = new Map<string, [number, number]>();
  waves.forEach((w, wi) =>
    w.forEach((u) => u.resources.forEach((r, ri) => position.set(r.id.toLowerCase(), [wi, ri]))),
  );
  for (const r of plan.resources) {
    for (const dep of r.dependsOn) {
      const a = position.get(dep.toLowerCase());
      const b = position.get(r.id.toLowerCase());
      if (!a || !b) continue;
      const [first, then] = reverse ? [b, a] : [a, b];
      const sameUnit =
        first[0] === then[0] &&
        waves[first[0]]!.some(
          (u) =>
            u.resources.some((x) => x.id.toLowerCase() === dep.toLowerCase()) &&
            u.resources.some((x) => x.id === r.id),
        );
      if (sameUnit) expect(first[1]).toBeLessThan(then[1]);
      else expect(first[0]).toBeLessThan(then[0]);
    }
  }
}

const VAULT = keyVaultName('00000000-0000-0000-0000-000000000000', 'rg-demo', 'demo');

describe('provisioningWaves', () => {
  const plan = examplePlan();

  it('runs independent infrastructure together, contracts linear runs, and ends with one unit per zone', () => {
    expect(keys(provisioningWaves(plan.resources))).toEqual([
      [
        'demo-api-pip>demo-api-lb',
        'demo-control-plane-id',
        'demo-control-plane-nsg',
        'demo-nat-pip>demo-nat',
        'demo-vnet',
        'demo-workers-id',
        'demo-workers-nsg',
      ],
      // The vault waits for the control-plane identity (its tenant); the provisioner's role for the
      // vault; the nodes' roles for the secrets the provisioner writes once it may.
      ['control-plane', VAULT],
      ['demo-api-ilb', 'workers', 'write:vault'],
      ['read:join-token', 'read:vault'],
      ['zone-1', 'zone-2', 'zone-3'],
    ]);
    expectOrderRespected(plan, provisioningWaves(plan.resources));
  });

  it('puts every resource in exactly one unit and nodes only in their zone', () => {
    const waves = provisioningWaves(plan.resources);
    const all = waves.flat().flatMap((u) => u.resources.map((r) => r.id));
    expect(all.sort()).toEqual(plan.resources.map((r) => r.id).sort());
    for (const unit of waves.flat().filter((u) => u.kind === 'zone')) {
      expect(unit.resources.every((r) => r.zone === unit.zone && r.node !== undefined)).toBe(true);
    }
  });

  it('treats resources already done (brought or verified) as satisfied', () => {
    const done = new Set(plan.resources.filter((r) => !r.node).map((r) => r.id.toLowerCase()));
    expect(keys(provisioningWaves(plan.resources, done))).toEqual([['zone-1', 'zone-2', 'zone-3']]);
  });
});

describe('zoneWaves', () => {
  it('applies every node of a zone at once, NIC before VM', () => {
    const plan = examplePlan();
    const zone1 = plan.resources.filter((r) => r.zone === '1' && r.node);
    const waves = zoneWaves(zone1);
    expect(waves).toHaveLength(1);
    for (const unit of waves[0]!) {
      expect(unit.resources.map((r) => r.type)).toEqual([
        'Microsoft.Network/networkInterfaces',
        'Microsoft.Compute/virtualMachines',
      ]);
    }
    expect(waves[0]!.length * 2).toBe(zone1.length);
  });
});

describe('deletionWaves', () => {
  const plan = examplePlan();

  it('deletes in reverse dependency order: VMs with their NICs first, the VNet last', () => {
    const waves = deletionWaves(plan.resources);
    expect(waves[0]!.every((u) => u.resources[0]!.type === 'Microsoft.Compute/virtualMachines')).toBe(true);
    const nics = plan.resources.filter((r) => r.role.endsWith('Nic')).map((r) => r.name);
    expect(keys(waves).slice(1)).toEqual([
      // A VM waits for its identity's role as well as its NIC, so the NICs go in a wave of their own.
      ['read:join-token', 'read:vault', ...nics].sort(),
      ['demo-api-ilb', 'demo-api-lb>demo-api-pip', 'demo-workers-id', 'workers', 'write:vault'],
      ['control-plane', 'demo-workers-nsg', VAULT],
      ['demo-control-plane-id', 'demo-control-plane-nsg', 'demo-nat>demo-nat-pip', 'demo-vnet'],
    ]);
    expectOrderRespected(plan, waves, true);
  });

  it('never deletes a brought resource', () => {
    const brought = plan.resources.map((r) =>
      r.role === 'vnet' || r.role.endsWith('Nsg') ? { ...r, owned: false } : r,
    );
    const ids = deletionWaves(brought)
      .flat()
      .flatMap((u) => u.resources.map((r) => r.name));
    expect(ids).not.toContain('demo-vnet');
    expect(ids).not.toContain('demo-workers-nsg');
    expect(ids).toContain('workers');
  });
});
