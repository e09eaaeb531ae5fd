/**
 * AKS network and the control plane's identity. The VNet, the nodes' subnet and (for virtual
 * nodes) a subnet delegated to Azure Container Instances are created unless the nodes' subnet is
 * brought; a brought network is only read. The cluster runs as a user-assigned identity made here,
 * with Network Contributor on the nodes' subnet (to attach load balancers and node NICs) and, for
 * the virtual-nodes connector, on the VNet: granted before the cluster exists, so its first
 * operations do not race the role assignment.
 */
import { aksNodeSubnet } from '../applyDefaults';
import type { AksClusterSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { stableGuid } from './guid';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

/** Built-in role "Network Contributor". */
export const NETWORK_CONTRIBUTOR_ROLE = '4d97b98b-1d4f-4787-a291-c67834d212e7';
export const ACI_DELEGATION_SERVICE = 'Microsoft.ContainerInstance/containerGroups';

export interface AksNetworkPlan {
  resources: PlannedResource[];
  vnetId: string;
  nodeSubnetId: string;
  virtualNodesSubnetId?: string;
}

export function planAksNetwork(spec: AksClusterSpec, ctx: PlanContext): AksNetworkPlan {
  const subnet = aksNodeSubnet(spec);
  const vnetId = ctx.id(ResourceTypes.virtualNetwork, subnet.vnetName, subnet.vnetResourceGroup);
  const nodeSubnetId = ctx.subnetId(vnetId, subnet.name);
  const { subnetName } = spec.virtualNodes;
  const virtualNodesSubnetId =
    spec.virtualNodes.enabled && subnetName !== undefined ? ctx.subnetId(vnetId, subnetName) : undefined;
  const vnet = spec.network.vnet;
  const owned = subnet.created;
  const delegation: JsonObject = {
    delegations: [{ name: 'aci', properties: { serviceName: ACI_DELEGATION_SERVICE } }],
  };

  const resources: PlannedResource[] = [
    resource({
      id: vnetId,
      type: ResourceTypes.virtualNetwork,
      role: 'vnet',
      dependsOn: [],
      owned,
      body: vnet
        ? {
            location: spec.location,
            tags: ctx.tags('vnet'),
            properties: { addressSpace: { addressPrefixes: [vnet.cidr] } },
          }
        : {},
    }),
    resource({
      id: nodeSubnetId,
      type: ResourceTypes.subnet,
      role: 'nodeSubnet',
      dependsOn: [vnetId],
      owned,
      body: vnet ? { properties: { addressPrefix: vnet.nodeSubnetCidr } } : {},
    }),
  ];
  if (virtualNodesSubnetId !== undefined) {
    resources.push(
      resource({
        id: virtualNodesSubnetId,
        type: ResourceTypes.subnet,
        role: 'virtualNodesSubnet',
        // Azure serializes writes to one VNet's subnets: the second waits for the first.
        dependsOn: owned ? [vnetId, nodeSubnetId] : [vnetId],
        owned,
        body: vnet?.virtualNodesSubnetCidr
          ? { properties: { addressPrefix: vnet.virtualNodesSubnetCidr, ...delegation } }
          : // A brought subnet must already be delegated to Azure Container Instances.
            { properties: { delegations: [{ properties: { serviceName: ACI_DELEGATION_SERVICE } }] } },
      }),
    );
  }
  return {
    resources,
    vnetId,
    nodeSubnetId,
    ...(virtualNodesSubnetId !== undefined ? { virtualNodesSubnetId } : {}),
  };
}

export interface AksIdentityPlan {
  resources: PlannedResource[];
  identityId: string;
  roleAssignmentIds: string[];
}

export function planControlPlaneIdentity(
  spec: AksClusterSpec,
  ctx: PlanContext,
  network: AksNetworkPlan,
): AksIdentityPlan {
  const identityId = ctx.id(ResourceTypes.userAssignedIdentity, `${spec.name}-control-plane`);
  const roleDefinitionId = `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR_ROLE}`;
  const scopes = [
    network.nodeSubnetId,
    ...(network.virtualNodesSubnetId !== undefined ? [network.vnetId] : []),
  ];
  const assignments = scopes.map((scope) => {
    const id = `${scope}/providers/${ResourceTypes.roleAssignment}/${stableGuid(scope, NETWORK_CONTRIBUTOR_ROLE, identityId)}`;
    return resource({
      id,
      type: ResourceTypes.roleAssignment,
      role: 'networkRoleAssignment',
      dependsOn: [identityId, scope],
      owned: true,
      body: {
        properties: {
          roleDefinitionId,
          principalId: `[principalId of ${identityId}]`,
          principalType: 'ServicePrincipal',
          description: `AKS cluster ${spec.name}: control plane manages the cluster's network`,
        },
      },
      inputs: [{ path: 'properties.principalId', from: identityId, output: 'principalId' }],
    });
  });
  return {
    resources: [
      resource({
        id: identityId,
        type: ResourceTypes.userAssignedIdentity,
        role: 'controlPlaneIdentity',
        dependsOn: [],
        owned: true,
        body: { location: spec.location, tags: ctx.tags('controlPlaneIdentity') },
      }),
      ...assignments,
    ],
    identityId,
    roleAssignmentIds: assignments.map((a) => a.id),
  };
}
