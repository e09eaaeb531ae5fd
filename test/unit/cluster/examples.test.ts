import * as fs from 'node:fs';
import * as path from 'node:path';

import { planCluster } from '../../../src/cluster/plan';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { SUBSCRIPTION_ID } from './fixtures';

const examples = path.join(__dirname, '../../../examples');

function planExample(file: string) {
  const result = parseClusterSpec(fs.readFileSync(path.join(examples, file), 'utf8'));
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return { spec: result.spec, plan: planCluster(result.spec, { subscriptionId: SUBSCRIPTION_ID }) };
}

describe('examples', () => {
  it('plans the IaaS example: 3 zones, 3 control-plane nodes, 2 pools, in rg-demo / eastus', () => {
    const { spec, plan } = planExample('iaas-cluster.yaml');
    expect(spec).toMatchObject({ type: 'iaas', resourceGroup: 'rg-demo', location: 'eastus' });
    expect(plan.cluster.zones).toEqual(['1', '2', '3']);
    const vms = plan.resources.filter((r) => r.type === 'Microsoft.Compute/virtualMachines');
    expect(vms.filter((vm) => vm.pool === 'controlPlane').map((vm) => vm.zone)).toEqual(['1', '2', '3']);
    expect(new Set(vms.filter((vm) => vm.pool !== 'controlPlane').map((vm) => vm.pool))).toEqual(
      new Set(['general', 'memory']),
    );
  });

  it('plans the AKS example: network, identity, the cluster, three pools, policy and GitOps in rg-demo / eastus', () => {
    const { spec, plan } = planExample('aks-cluster.yaml');
    expect(spec).toMatchObject({ type: 'aks', resourceGroup: 'rg-demo', location: 'eastus' });
    expect(plan.resources.map((r) => r.role)).toEqual([
      'vnet',
      'nodeSubnet',
      'virtualNodesSubnet',
      'controlPlaneIdentity',
      'networkRoleAssignment',
      'networkRoleAssignment',
      'managedCluster',
      'agentPool',
      'agentPool',
      'agentPool',
      'policyAssignment',
      'fluxExtension',
      'fluxConfiguration',
    ]);
  });

  it('ships no example that is not planned here', () => {
    expect(fs.readdirSync(examples).sort()).toEqual(['aks-cluster.yaml', 'iaas-cluster.yaml']);
  });
});
