/**
 * AKS: the managed cluster, then every pool as its own `managedClusters/agentPools` resource.
 *
 * The cluster body carries only the first System pool (AKS needs one to create a cluster) and never
 * changes pools afterwards: AKS refuses new pools through a managed-cluster PUT once the cluster
 * exists, so pools are added, changed and removed through `agentPools` — including that first pool,
 * whose agent-pool resource finds it already as planned right after the cluster is created.
 */
import type { AksClusterSpec, AksNodePoolSpec, AutoscalerProfileSpec } from '../spec';
import { planAksAddons } from './aksAddons';
import { planAksNetwork, planControlPlaneIdentity } from './aksNetwork';
import { type PlanContext, resource } from './context';
import { type JsonObject, type PlannedResource, ResourceTypes } from './types';

const OPEN_TO_ALL = '0.0.0.0/0';

/** A pool's settings as AKS takes them: `properties` of an agent pool, or an `agentPoolProfiles` entry without its name. */
export function agentPoolProperties(pool: AksNodePoolSpec, nodeSubnetId: string): JsonObject {
  const autoscale = pool.clusterAutoscaler;
  return {
    mode: pool.mode,
    type: 'VirtualMachineScaleSets',
    osType: 'Linux',
    vmSize: pool.vmSize,
    orchestratorVersion: pool.kubernetesVersion,
    count: pool.count,
    enableAutoScaling: autoscale,
    // AKS rejects minCount/maxCount on a pool without the autoscaler.
    ...(autoscale ? { minCount: pool.minCount, maxCount: pool.maxCount } : {}),
    ...(pool.zones.length > 0 ? { availabilityZones: [...pool.zones] } : {}),
    ...(pool.osDiskSizeGB !== undefined ? { osDiskSizeGB: pool.osDiskSizeGB } : {}),
    ...(pool.maxPods !== undefined ? { maxPods: pool.maxPods } : {}),
    vnetSubnetID: nodeSubnetId,
  };
}

/** The pool in the cluster body: the first System pool. */
export function clusterBodyPool(spec: AksClusterSpec): AksNodePoolSpec {
  const pool = spec.nodePools.find((candidate) => candidate.mode === 'System');
  if (!pool) throw new Error('an AKS spec has a System pool (validation should have caught this)');
  return pool;
}

const autoscalerWireKeys: Record<keyof AutoscalerProfileSpec, string> = {
  scanInterval: 'scan-interval',
  expander: 'expander',
  balanceSimilarNodeGroups: 'balance-similar-node-groups',
  scaleDownDelayAfterAdd: 'scale-down-delay-after-add',
  scaleDownUnneededTime: 'scale-down-unneeded-time',
  scaleDownUnreadyTime: 'scale-down-unready-time',
  scaleDownUtilizationThreshold: 'scale-down-utilization-threshold',
  maxGracefulTerminationSec: 'max-graceful-termination-sec',
  maxNodeProvisionTime: 'max-node-provision-time',
  newPodScaleUpDelay: 'new-pod-scale-up-delay',
  skipNodesWithLocalStorage: 'skip-nodes-with-local-storage',
  skipNodesWithSystemPods: 'skip-nodes-with-system-pods',
};

/** The autoscaler profile on the wire: kebab-case keys, every value a string (`"scan-interval": "20s"`). */
export function autoscalerProfileWire(profile: AutoscalerProfileSpec): JsonObject {
  const out: JsonObject = {};
  for (const [key, wireKey] of Object.entries(autoscalerWireKeys) as [
    keyof AutoscalerProfileSpec,
    string,
  ][]) {
    const value = profile[key];
    if (value !== undefined) out[wireKey] = String(value);
  }
  return out;
}

export function managedClusterBody(
  spec: AksClusterSpec,
  ctx: PlanContext,
  ids: { identityId: string; nodeSubnetId: string },
): JsonObject {
  const { network } = spec;
  // "0.0.0.0/0" in the spec means open to all, which AKS expresses as no authorized ranges.
  const authorizedRanges = spec.apiServer.authorizedCidrs.filter((range) => range !== OPEN_TO_ALL);
  const restricted = !spec.apiServer.private && !spec.apiServer.authorizedCidrs.includes(OPEN_TO_ALL);
  const systemPool = clusterBodyPool(spec);
  const autoscaler = autoscalerProfileWire(spec.autoscaler);
  return {
    location: spec.location,
    tags: ctx.tags('managedCluster'),
    identity: { type: 'UserAssigned', userAssignedIdentities: { [ids.identityId]: {} } },
    sku: { name: 'Base', tier: spec.tier },
    properties: {
      kubernetesVersion: spec.kubernetesVersion,
      supportPlan: spec.supportPlan,
      dnsPrefix: spec.dnsPrefix,
      enableRBAC: true,
      agentPoolProfiles: [{ name: systemPool.name, ...agentPoolProperties(systemPool, ids.nodeSubnetId) }],
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
      ...(Object.keys(autoscaler).length > 0 ? { autoScalerProfile: autoscaler } : {}),
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
    },
  };
}

/**
 * The whole AKS plan: network (created or read), identity and its role assignments, the cluster,
 * its pools in parallel, the policy assignment and GitOps.
 */
export function planManagedCluster(spec: AksClusterSpec, ctx: PlanContext): PlannedResource[] {
  const network = planAksNetwork(spec, ctx);
  const identity = planControlPlaneIdentity(spec, ctx, network);
  const clusterId = ctx.id(ResourceTypes.managedCluster, spec.name);
  const cluster = resource({
    id: clusterId,
    type: ResourceTypes.managedCluster,
    role: 'managedCluster',
    dependsOn: [
      identity.identityId,
      ...identity.roleAssignmentIds,
      network.nodeSubnetId,
      ...(network.virtualNodesSubnetId !== undefined ? [network.virtualNodesSubnetId] : []),
    ],
    owned: true,
    body: managedClusterBody(spec, ctx, {
      identityId: identity.identityId,
      nodeSubnetId: network.nodeSubnetId,
    }),
  });
  const pools = spec.nodePools.map((pool) =>
    resource({
      id: `${clusterId}/agentPools/${pool.name}`,
      type: ResourceTypes.agentPool,
      role: 'agentPool',
      pool: pool.name,
      dependsOn: [clusterId],
      owned: true,
      body: { properties: agentPoolProperties(pool, network.nodeSubnetId) },
    }),
  );
  return [
    ...network.resources,
    ...identity.resources,
    cluster,
    ...pools,
    ...planAksAddons(
      spec,
      ctx,
      clusterId,
      pools.map((p) => p.id),
    ),
  ];
}
