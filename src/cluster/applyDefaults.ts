/**
 * Fills in the defaults that depend on other fields (zones from the region, subnet ranges from
 * the VNet, names from the cluster name). validate.ts uses the same helpers so that the rules it
 * checks are the rules the planner will follow.
 */
import { cidrSize, cidrsOverlap, type Ipv4Cidr, mustParseIpv4Cidr, nthAddress, nthSubBlock } from './cidr';
import { findRegion } from './regions';
import type {
  AksClusterSpec,
  ClusterSpec,
  IaasClusterSpec,
  ParsedAksClusterSpec,
  ParsedIaasClusterSpec,
  SubnetSpec,
} from './spec';
import { IAAS_POD_CIDR_CANDIDATES, IAAS_SERVICE_CIDR_CANDIDATES } from './spec';

export const DEFAULT_VNET_CIDR = '10.0.0.0/16';
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_CONTROL_PLANE_SUBNET_NAME = 'control-plane';
export const DEFAULT_WORKER_SUBNET_NAME = 'workers';

export const defaultVnetName = (cluster: string): string => `${cluster}-vnet`;

/** AKS's own default range for the VNet it would make, clear of the default service and pod ranges. */
export const DEFAULT_AKS_VNET_CIDR = '10.224.0.0/12';
export const DEFAULT_AKS_NODE_SUBNET_NAME = 'nodes';
export const DEFAULT_VIRTUAL_NODES_SUBNET_NAME = 'virtual-nodes';

/**
 * Default AKS subnet ranges: the VNet's first and second /16 (or halves of a smaller VNet), nodes
 * first. For the default 10.224.0.0/12: 10.224.0.0/16 and 10.225.0.0/16.
 */
export function defaultAksSubnetCidrs(vnet: Ipv4Cidr): { nodes: string; virtualNodes: string } {
  const prefix = Math.max(16, vnet.prefix + 1);
  return { nodes: nthSubBlock(vnet, prefix, 0).text, virtualNodes: nthSubBlock(vnet, prefix, 1).text };
}
export const defaultNsgName = (cluster: string, subnetName: string): string => `${cluster}-${subnetName}-nsg`;

/**
 * Default subnet ranges: the first and second blocks of the VNet, each a /24 (or half the VNet
 * when it is smaller than a /23). For the default 10.0.0.0/16 VNet: 10.0.0.0/24 and 10.0.1.0/24.
 */
export function defaultSubnetCidrs(vnet: Ipv4Cidr): { controlPlane: string; worker: string } {
  const prefix = Math.max(24, vnet.prefix + 1);
  return { controlPlane: nthSubBlock(vnet, prefix, 0).text, worker: nthSubBlock(vnet, prefix, 1).text };
}

/**
 * The internal API frontend's default address: the control-plane subnet's last usable one (Azure
 * reserves the broadcast address), far from the low addresses Azure hands to NICs first.
 */
export function defaultApiServerInternalIp(controlPlaneSubnet: Ipv4Cidr): string {
  return nthAddress(controlPlaneSubnet, cidrSize(controlPlaneSubnet) - 2);
}

/**
 * Pod and service ranges: the user's, else the first candidate that overlaps neither the VNet (when
 * its range is known) nor the other range.
 */
export function kubernetesRanges(
  vnetCidr: string | undefined,
  podCidr: string | undefined,
  serviceCidr: string | undefined,
): { podCidr: string; serviceCidr: string } {
  const vnet = vnetCidr !== undefined ? mustParseIpv4Cidr(vnetCidr) : undefined;
  const pick = (given: string | undefined, candidates: readonly string[], taken?: string): string => {
    if (given !== undefined) return given;
    const avoid = [vnet, taken !== undefined ? mustParseIpv4Cidr(taken) : undefined].filter(
      (c): c is Ipv4Cidr => c !== undefined,
    );
    const free = candidates.find((c) => avoid.every((a) => !cidrsOverlap(a, mustParseIpv4Cidr(c))));
    return free ?? candidates[0] ?? '';
  };
  const pods = pick(podCidr, IAAS_POD_CIDR_CANDIDATES, serviceCidr);
  return { podCidr: pods, serviceCidr: pick(serviceCidr, IAAS_SERVICE_CIDR_CANDIDATES, pods) };
}

/** The zones of a region ([] when it has none); the default for every `zones` field. */
export function regionZones(location: string): string[] {
  return [...(findRegion(location)?.zones ?? [])];
}

export function applyDefaults(parsed: ParsedIaasClusterSpec | ParsedAksClusterSpec): ClusterSpec {
  return parsed.type === 'iaas' ? applyIaasDefaults(parsed) : applyAksDefaults(parsed);
}

function applyIaasDefaults(parsed: ParsedIaasClusterSpec): IaasClusterSpec {
  const zones = regionZones(parsed.location);
  const { vnet: vnetInput, controlPlaneSubnet, workerSubnet } = parsed.network;
  const existing = vnetInput.existing;
  const vnet: IaasClusterSpec['network']['vnet'] = existing
    ? { existing, ...(vnetInput.cidr !== undefined ? { cidr: vnetInput.cidr } : {}) }
    : { name: vnetInput.name ?? defaultVnetName(parsed.name), cidr: vnetInput.cidr ?? DEFAULT_VNET_CIDR };
  // A brought VNet must state its subnet ranges (validated), so the derived defaults only serve new VNets.
  const derived = vnet.cidr !== undefined ? defaultSubnetCidrs(mustParseIpv4Cidr(vnet.cidr)) : undefined;
  const nsgResourceGroup = existing?.resourceGroup ?? parsed.resourceGroup;
  const resolveSubnet = (
    input: typeof controlPlaneSubnet,
    defaultName: string,
    defaultCidr: string | undefined,
  ): SubnetSpec => {
    const name = input.name ?? defaultName;
    const cidr = input.cidr ?? defaultCidr;
    if (cidr === undefined)
      throw new Error(`subnet ${name} has no CIDR (validation should have caught this)`);
    return {
      name,
      cidr,
      nsg: {
        name: input.nsg?.name ?? defaultNsgName(parsed.name, name),
        resourceGroup: input.nsg?.resourceGroup ?? nsgResourceGroup,
      },
    };
  };
  const controlPlaneSubnetSpec = resolveSubnet(
    controlPlaneSubnet,
    DEFAULT_CONTROL_PLANE_SUBNET_NAME,
    derived?.controlPlane,
  );
  const controlPlaneSubnetCidr = mustParseIpv4Cidr(controlPlaneSubnetSpec.cidr);
  return {
    type: 'iaas',
    name: parsed.name,
    resourceGroup: parsed.resourceGroup,
    location: parsed.location,
    kubernetesVersion: parsed.kubernetesVersion,
    tags: parsed.tags,
    onFailure: parsed.onFailure,
    network: {
      vnet,
      controlPlaneSubnet: controlPlaneSubnetSpec,
      workerSubnet: resolveSubnet(workerSubnet, DEFAULT_WORKER_SUBNET_NAME, derived?.worker),
      apiServer: {
        authorizedCidrs: parsed.network.apiServer.authorizedCidrs,
        internalIp: parsed.network.apiServer.internalIp ?? defaultApiServerInternalIp(controlPlaneSubnetCidr),
      },
      cni: parsed.network.cni,
      ...kubernetesRanges(vnet.cidr, parsed.network.podCidr, parsed.network.serviceCidr),
      sshAllowedCidrs: parsed.network.sshAllowedCidrs,
    },
    controlPlane: {
      count: parsed.controlPlane.count,
      vmSize: parsed.controlPlane.vmSize,
      zones: parsed.controlPlane.zones ?? zones,
      osDisk: parsed.controlPlane.osDisk,
      ...(parsed.controlPlane.cloudInit !== undefined ? { cloudInit: parsed.controlPlane.cloudInit } : {}),
    },
    nodePools: parsed.nodePools.map((pool) => ({
      name: pool.name,
      count: pool.count,
      minCount: pool.minCount ?? pool.count,
      maxCount: pool.maxCount ?? pool.count,
      vmSize: pool.vmSize,
      zones: pool.zones ?? zones,
      osDisk: pool.osDisk,
      ...(pool.cloudInit !== undefined ? { cloudInit: pool.cloudInit } : {}),
      ...(pool.orchestration !== undefined ? { orchestration: pool.orchestration } : {}),
    })),
    ssh: parsed.ssh,
    image: parsed.image,
  };
}

function applyAksDefaults(parsed: ParsedAksClusterSpec): AksClusterSpec {
  const zones = regionZones(parsed.location);
  const { network } = parsed;
  const needsPodCidr = network.plugin === 'kubenet' || network.pluginMode === 'overlay';
  const brought = network.nodeSubnet;
  const vnetCidr = network.vnet?.cidr ?? DEFAULT_AKS_VNET_CIDR;
  const derived = defaultAksSubnetCidrs(mustParseIpv4Cidr(vnetCidr));
  const virtualNodesSubnetName =
    parsed.virtualNodes.subnetName ??
    (parsed.virtualNodes.enabled && !brought ? DEFAULT_VIRTUAL_NODES_SUBNET_NAME : undefined);
  return {
    type: 'aks',
    name: parsed.name,
    resourceGroup: parsed.resourceGroup,
    location: parsed.location,
    kubernetesVersion: parsed.kubernetesVersion,
    tags: parsed.tags,
    onFailure: parsed.onFailure,
    tier: parsed.tier,
    supportPlan: parsed.supportPlan,
    autoscaler: parsed.autoscaler,
    dnsPrefix: parsed.dnsPrefix ?? parsed.name,
    nodePools: parsed.nodePools.map((pool, index) => ({
      name: pool.name,
      count: pool.count,
      minCount: pool.minCount ?? pool.count,
      maxCount: pool.maxCount ?? pool.count,
      vmSize: pool.vmSize,
      zones: pool.zones ?? zones,
      // The first pool hosts system pods unless the user says otherwise.
      mode: pool.mode ?? (index === 0 ? 'System' : 'User'),
      clusterAutoscaler:
        pool.clusterAutoscaler ?? (pool.minCount ?? pool.count) < (pool.maxCount ?? pool.count),
      ...(pool.osDiskSizeGB !== undefined ? { osDiskSizeGB: pool.osDiskSizeGB } : {}),
      ...(pool.maxPods !== undefined ? { maxPods: pool.maxPods } : {}),
      kubernetesVersion: pool.kubernetesVersion ?? parsed.kubernetesVersion,
    })),
    aad: {
      enableAzureRBAC: parsed.aad.enableAzureRBAC,
      adminGroupObjectIDs: parsed.aad.adminGroupObjectIDs,
      ...(parsed.aad.tenantId !== undefined ? { tenantId: parsed.aad.tenantId } : {}),
    },
    disableLocalAccounts: parsed.disableLocalAccounts,
    azurePolicy: {
      enabled: parsed.azurePolicy.enabled,
      ...(parsed.azurePolicy.initiative !== undefined ? { initiative: parsed.azurePolicy.initiative } : {}),
      effect: parsed.azurePolicy.effect,
      excludedNamespaces: parsed.azurePolicy.excludedNamespaces,
    },
    ...(parsed.gitOps !== undefined ? { gitOps: parsed.gitOps } : {}),
    keda: parsed.keda,
    virtualNodes: {
      enabled: parsed.virtualNodes.enabled,
      ...(virtualNodesSubnetName !== undefined ? { subnetName: virtualNodesSubnetName } : {}),
    },
    apiServer: parsed.apiServer,
    network: {
      plugin: network.plugin,
      ...(network.pluginMode !== undefined ? { pluginMode: network.pluginMode } : {}),
      ...(network.policy !== undefined ? { policy: network.policy } : {}),
      ...(network.podCidr !== undefined || needsPodCidr
        ? { podCidr: network.podCidr ?? DEFAULT_POD_CIDR }
        : {}),
      serviceCidr: network.serviceCidr,
      dnsServiceIP: network.dnsServiceIP,
      ...(brought
        ? {
            nodeSubnet: {
              vnetResourceGroup: brought.vnetResourceGroup ?? parsed.resourceGroup,
              vnetName: brought.vnetName,
              name: brought.name,
            },
          }
        : {
            vnet: {
              name: network.vnet?.name ?? defaultVnetName(parsed.name),
              cidr: vnetCidr,
              nodeSubnetCidr: network.vnet?.nodeSubnetCidr ?? derived.nodes,
              ...(parsed.virtualNodes.enabled
                ? { virtualNodesSubnetCidr: network.vnet?.virtualNodesSubnetCidr ?? derived.virtualNodes }
                : {}),
            },
          }),
    },
    ...(parsed.ssh !== undefined ? { ssh: parsed.ssh } : {}),
  };
}

/** Where an AKS cluster's nodes live: the brought subnet, or the one the provisioner creates. */
export function aksNodeSubnet(spec: AksClusterSpec): {
  vnetResourceGroup: string;
  vnetName: string;
  name: string;
  created: boolean;
} {
  if (spec.network.nodeSubnet) return { ...spec.network.nodeSubnet, created: false };
  return {
    vnetResourceGroup: spec.resourceGroup,
    vnetName: spec.network.vnet?.name ?? defaultVnetName(spec.name),
    name: DEFAULT_AKS_NODE_SUBNET_NAME,
    created: true,
  };
}
