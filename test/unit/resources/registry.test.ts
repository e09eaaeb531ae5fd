import * as fs from 'node:fs';
import * as path from 'node:path';

import { planCluster } from '../../../src/cluster/plan';
import { ResourceTypes } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { virtualMachines } from '../../../src/resources/types/compute/virtualMachines';
import { publicIPAddresses } from '../../../src/resources/types/network/publicIPAddresses';
import { createRegistry, resourceTypes } from '../../../src/resources/types/registry';

const SUB = '00000000-0000-0000-0000-000000000001';

describe('the resource type registry', () => {
  it('has a module for every type an IaaS plan contains', () => {
    const text = fs.readFileSync(path.join(__dirname, '../../../examples/iaas-cluster.yaml'), 'utf8');
    const parsed = parseClusterSpec(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const plan = planCluster(parsed.spec, { subscriptionId: SUB });
    for (const r of plan.resources) expect(resourceTypes.get(r.type).type).toBe(r.type);
  });

  it('looks types up case-insensitively and names an unknown one', () => {
    expect(resourceTypes.get(ResourceTypes.virtualMachine.toUpperCase())).toBe(virtualMachines);
    expect(() => resourceTypes.get('Microsoft.Storage/storageAccounts')).toThrow(
      /Microsoft\.Storage\/storageAccounts/,
    );
  });

  it('refuses a type registered twice', () => {
    expect(() => createRegistry([publicIPAddresses, { ...publicIPAddresses }])).toThrow(/registered twice/);
  });

  it("reports a public IP's address as its output", () => {
    expect(publicIPAddresses.outputs?.({ ipAddress: '20.1.2.3', provisioningState: 'Succeeded' })).toEqual({
      ipAddress: '20.1.2.3',
    });
  });
});
