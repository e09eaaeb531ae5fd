/**
 * AKS: one managed cluster whose body carries everything — zone-spread pools with the cluster
 * autoscaler, KEDA, virtual nodes, Entra ID with Azure RBAC, Azure Policy, API server access and
 * the network profile. Pools are inline (`agentPoolProfiles`) so the first PUT creates a working
 * cluster; later pool resizes go through the same body.
 */
import type { AksClusterSpec, AksNodePoolSpec } from '../spec';
import { type PlanContext, resource } from './context';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

const OPEN_TO_ALL = '0.0.0.0/0';

export function agentPoolProfile(pool: AksNodePoolSpec, nodeSubnetId: string | undefined): JsonObject {
  const autoscale = pool.minCount < pool.maxCount;
  return {
    name: pool.name,
    mode: pool.mode,
    type: 'VirtualMachineScaleSets',
    osType: 'Linux',
    vmSize: pool.vmSize,
    count: pool.count,
    enableAutoScaling: autoscale,
    // AKS rejects minCount/maxCount on a pool without the autoscaler.
    ...(autoscale ? { minCount: pool.minCount, maxCount: pool.maxCount } : {}),
    ...(pool.zones.length > 0 ? { availabilityZones: [...pool.zones] } : {}),
    ...(pool.osDiskSizeGB !== undefined ? { osDiskSizeGB: pool.osDiskSizeGB } : {}),
    ...(pool.maxPods !== undefined ? { maxPods: pool.maxPods } : {}),
    ...(nodeSubnetId !== undefined ? { vnetSubnetID: nodeSubnetId } : {}),
  };
}

export function planManagedCluster(spec: AksClusterSpec, ctx: PlanContext): PlannedResource[] {
  const { network } = spec;
  const nodeSubnetId =
    network.nodeSubnet !== undefined
      ? ctx.subnetId(
          ctx.id(
            ResourceTypes.virtualNetwork,
            network.nodeSubnet.vnetName,
            network.nodeSubnet.vnetResourceGroup,
          ),
          network.nodeSubnet.name,
        )
      : undefined;
  // "0.0.0.0/0" in the spec means open to all, which AKS expresses as no authorized ranges.
  const authorizedRanges = spec.apiServer.authorizedCidrs.filter((range) => range !== OPEN_TO_ALL);
  const restricted = !spec.apiServer.private && !spec.apiServer.authorizedCidrs.includes(OPEN_TO_ALL);

  const body: JsonObject = {
    location: spec.location,
    tags: ctx.tags('managedCluster'),
    identity: { type: 'SystemAssigned' },
    sku: { name: 'Base', tier: spec.tier },
    properties: {
      kubernetesVersion: spec.kubernetesVersion,
      dnsPrefix: spec.dnsPrefix,
      enableRBAC: true,
      agentPoolProfiles: spec.nodePools.map((pool) => agentPoolProfile(pool, nodeSubnetId)),
      ...(spec.ssh !== undefined
        ? {
            linuxProfile: {
              adminUsername: spec.ssh.adminUsername,
              ssh: { publicKeys: [{ keyData: spec.ssh.publicKey.trim() }] },
            },
          }
        : {}),
      aadProfile: {
        managed: true,
        enableAzureRBAC: spec.aad.enableAzureRBAC,
        adminGroupObjectIDs: [...spec.aad.adminGroupObjectIDs],
        ...(spec.aad.tenantId !== undefined ? { tenantID: spec.aad.tenantId } : {}),
      },
      disableLocalAccounts: spec.disableLocalAccounts,
      apiServerAccessProfile: {
        enablePrivateCluster: spec.apiServer.private,
        ...(restricted ? { authorizedIPRanges: authorizedRanges } : {}),
      },
      networkProfile: {
        networkPlugin: network.plugin,
        ...(network.pluginMode !== undefined ? { networkPluginMode: network.pluginMode } : {}),
        ...(network.policy !== undefined ? { networkPolicy: network.policy } : {}),
        ...(network.policy === 'cilium' ? { networkDataplane: 'cilium' } : {}),
        ...(network.podCidr !== undefined ? { podCidr: network.podCidr } : {}),
        serviceCidr: network.serviceCidr,
        dnsServiceIP: network.dnsServiceIP,
        loadBalancerSku: 'standard',
        outboundType: 'loadBalancer',
      },
      addonProfiles: {
        aciConnectorLinux: {
          enabled: spec.virtualNodes.enabled,
          ...(spec.virtualNodes.enabled && spec.virtualNodes.subnetName !== undefined
            ? { config: { SubnetName: spec.virtualNodes.subnetName } }
            : {}),
        },
        azurepolicy: { enabled: spec.azurePolicy.enabled },
      },
      workloadAutoScalerProfile: { keda: { enabled: spec.keda.enabled } },
    },
  };

  return [
    resource({
      id: ctx.id(ResourceTypes.managedCluster, spec.name),
      type: ResourceTypes.managedCluster,
      role: 'managedCluster',
      dependsOn: [],
      owned: true,
      body,
    }),
  ];
}
