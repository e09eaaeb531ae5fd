/**
 * A cluster's bootstrap facts, derived from the resolved spec and the subscription alone (pure), so
 * that the plan can carry every node's custom data before anything exists.
 *
 * The control-plane endpoint is the public IP's DNS name (`<cluster>-<suffix>.<region>.cloudapp.azure.com`),
 * the name in every kubeconfig and in the API server's certificate. Inside the VNet that name
 * resolves (through /etc/hosts, written by the boot script) to an *internal* load balancer frontend in
 * the control-plane subnet, as Cluster API Provider Azure does: traffic from nodes to the public
 * frontend would leave through the NAT gateway and come back from its public IP, which the API
 * server's authorized ranges (the NSG rule on 6443) refuse unless the user adds it. A control-plane
 * node resolves the name to itself once it serves the API (an Azure load balancer does not return a
 * backend's own flow to it, so a control-plane node could not reach the API through either frontend
 * when the balancer picks that node).
 */
import { API_SERVER_PORT } from '../apiServer';
import type { IaasClusterSpec } from '../spec';
import type { ClusterBootstrap, NodeBootstrap, NodeRole } from './model';
import {
  apiServerDnsLabel,
  apiServerFqdn,
  controlPlaneIdentityName,
  keyVaultName,
  keyVaultUri,
  workerIdentityName,
} from './names';

export const MANAGED_IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

export function identityId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${MANAGED_IDENTITY_TYPE}/${name}`;
}

export function clusterBootstrap(spec: IaasClusterSpec, subscriptionId: string): ClusterBootstrap {
  const { vnet, workerSubnet } = spec.network;
  const label = apiServerDnsLabel(subscriptionId, spec.resourceGroup, spec.name);
  return {
    clusterName: spec.name,
    kubernetesVersion: spec.kubernetesVersion,
    endpoint: {
      fqdn: apiServerFqdn(label, spec.location),
      port: API_SERVER_PORT,
      internalIp: spec.network.apiServer.internalIp,
    },
    podCidr: spec.network.podCidr,
    serviceCidr: spec.network.serviceCidr,
    cni: spec.network.cni,
    vaultUri: keyVaultUri(keyVaultName(subscriptionId, spec.resourceGroup, spec.name)),
    identities: {
      controlPlane: identityId(subscriptionId, spec.resourceGroup, controlPlaneIdentityName(spec.name)),
      worker: identityId(subscriptionId, spec.resourceGroup, workerIdentityName(spec.name)),
    },
    azure: {
      subscriptionId,
      resourceGroup: spec.resourceGroup,
      location: spec.location,
      vnetName: 'existing' in vnet ? vnet.existing.name : vnet.name,
      vnetResourceGroup: 'existing' in vnet ? vnet.existing.resourceGroup : spec.resourceGroup,
      subnetName: workerSubnet.name,
      securityGroupName: workerSubnet.nsg.name,
      securityGroupResourceGroup: workerSubnet.nsg.resourceGroup,
    },
  };
}

/**
 * The role of a node: the control-plane node with index 0 initialises the cluster, the others join
 * it. A node that replaces a lost `-cp-0` in a running cluster must join, not initialise again:
 * `clusterInitialized` says so.
 */
export function nodeRole(
  pool: string,
  nodeName: string,
  clusterName: string,
  clusterInitialized: boolean,
): NodeRole {
  if (pool !== 'controlPlane') return 'worker';
  return !clusterInitialized && nodeName === `${clusterName}-cp-0` ? 'initControlPlane' : 'joinControlPlane';
}

export function nodeBootstrap(cluster: ClusterBootstrap, role: NodeRole, pool: string): NodeBootstrap {
  return { cluster, role, pool };
}
