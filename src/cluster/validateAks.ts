/**
 * Cross-field rules of an AKS spec, on the raw input (see validate.ts). Each rule refuses what AKS
 * itself would refuse minutes into a deployment, here with the field's path and nothing written.
 * Rules that need a read (versions offered in the region, a brought VNet) or the previous spec
 * (zone changes) live in aksVersions.ts, aksNetworkChecks.ts and aksChanges.ts.
 */
import { nodeSubnetCapacityProblem } from './aksNetworkChecks';
import { poolVersionSkewProblem } from './aksVersions';
import { DEFAULT_AKS_VNET_CIDR, DEFAULT_POD_CIDR, defaultAksSubnetCidrs } from './applyDefaults';
import {
  addressInCidr,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  type Ipv4Cidr,
  isIpv4Address,
  nthAddress,
} from './cidr';
import { asArr, asBool, asCidr, asInt, asObj, asStr, type Errors, type Obj, orDefault } from './rawInput';
import { findRegion } from './regions';
import { systemPoolSizeProblem } from './vmSizes';

/** Ranges AKS uses itself; a service or pod range must not overlap them. */
const AKS_RESERVED_RANGES = ['169.254.0.0/16', '172.30.0.0/16', '172.31.0.0/16', '192.0.2.0/24'];
const OPEN_TO_ALL = '0.0.0.0/0';

export function checkAks(spec: Obj, errors: Errors): void {
  checkAksPools(spec, errors);
  checkAksName(spec, errors);
  checkAksNetwork(spec, errors);
  checkAksAccess(spec, errors);
  checkAksFeatures(spec, errors);
}

function checkAksPools(spec: Obj, errors: Errors): void {
  const pools = asArr(spec.nodePools) ?? [];
  const modes = pools.map((value, index) => {
    const mode = asObj(value)?.mode;
    return mode === undefined ? (index === 0 ? 'System' : 'User') : mode;
  });
  if (pools.length > 0 && !modes.includes('System')) {
    errors.add('nodePools', 'an AKS cluster needs at least one pool with mode: System (for system pods)');
  }
  const clusterVersion = asStr(spec.kubernetesVersion);
  pools.forEach((value, index) => {
    const pool = asObj(value) ?? {};
    const path = `nodePools[${index}]`;
    const poolVersion = asStr(pool.kubernetesVersion);
    if (clusterVersion !== undefined && poolVersion !== undefined) {
      const problem = poolVersionSkewProblem(clusterVersion, poolVersion);
      if (problem) errors.add(`${path}.kubernetesVersion`, problem);
    }
    if (modes[index] !== 'System') return;
    const count = asInt(pool.count);
    const min = asInt(pool.minCount);
    if (count === 0) errors.add(`${path}.count`, 'a System pool needs at least one node');
    if (min === 0) errors.add(`${path}.minCount`, 'a System pool needs at least one node');
    const vmSize = asStr(pool.vmSize);
    const sizeProblem = vmSize !== undefined ? systemPoolSizeProblem(vmSize) : undefined;
    if (sizeProblem) errors.add(`${path}.vmSize`, sizeProblem);
  });
}

function checkAksName(spec: Obj, errors: Errors): void {
  const name = asStr(spec.name);
  const resourceGroup = asStr(spec.resourceGroup);
  const location = findRegion(asStr(spec.location) ?? '')?.name;
  if (name !== undefined && resourceGroup !== undefined && location !== undefined) {
    const nodeResourceGroup = `MC_${resourceGroup}_${name}_${location}`;
    if (nodeResourceGroup.length > 80) {
      errors.add(
        'name',
        `AKS names its node resource group MC_<resourceGroup>_<name>_<location>, limited to 80 characters (this would be ${nodeResourceGroup.length}); shorten name or resourceGroup`,
      );
    }
  }
}

function checkAksNetwork(spec: Obj, errors: Errors): void {
  const network = asObj(spec.network) ?? {};
  const plugin = orDefault(network.plugin, 'azure', asStr);
  const overlay = network.pluginMode === 'overlay';
  if (overlay && plugin !== undefined && plugin !== 'azure') {
    errors.add('network.pluginMode', 'overlay applies only to plugin: azure');
  }
  if (network.podCidr !== undefined && plugin === 'azure' && !overlay) {
    errors.add(
      'network.podCidr',
      'applies only to kubenet or pluginMode: overlay (with Azure CNI, pods get subnet addresses)',
    );
  }
  const policy = asStr(network.policy);
  if (policy !== undefined && plugin === 'none') {
    errors.add('network.policy', 'plugin: none brings its own CNI; AKS manages no network policy for it');
  } else if ((policy === 'azure' || policy === 'cilium') && plugin === 'kubenet') {
    errors.add('network.policy', `network policy "${policy}" needs plugin: azure`);
  }
  const serviceCidr = orDefault(network.serviceCidr, asCidr('10.0.0.0/16'), asCidr);
  const needsPodCidr = plugin === 'kubenet' || overlay;
  const podCidr =
    network.podCidr !== undefined
      ? asCidr(network.podCidr)
      : needsPodCidr
        ? asCidr(DEFAULT_POD_CIDR)
        : undefined;
  if (serviceCidr && podCidr && cidrsOverlap(serviceCidr, podCidr)) {
    errors.add('network.podCidr', `${podCidr.text} overlaps network.serviceCidr ${serviceCidr.text}`);
  }
  for (const [field, range] of [
    ['serviceCidr', serviceCidr],
    ['podCidr', podCidr],
  ] as const) {
    const reserved =
      range && AKS_RESERVED_RANGES.find((text) => cidrsOverlap(range, asCidr(text) as Ipv4Cidr));
    if (range && reserved)
      errors.add(`network.${field}`, `${range.text} overlaps ${reserved}, which AKS reserves`);
  }
  checkDnsServiceIP(network, serviceCidr, errors);

  const virtualNodes = asObj(spec.virtualNodes) ?? {};
  const virtualNodesOn = asBool(virtualNodes.enabled) === true;
  const nodeSubnet = asObj(network.nodeSubnet);
  const vnet = asObj(network.vnet);
  if (nodeSubnet && vnet) {
    errors.add(
      'network.vnet',
      "not allowed with network.nodeSubnet: either bring the nodes' subnet or let the provisioner create the VNet",
    );
  }
  if (!nodeSubnet) {
    checkCreatedVnet(spec, vnet ?? {}, { plugin, overlay, serviceCidr, podCidr, virtualNodesOn }, errors);
  }
  if (virtualNodesOn) {
    if (nodeSubnet && virtualNodes.subnetName === undefined) {
      errors.add(
        'virtualNodes.subnetName',
        "required with virtual nodes in a brought VNet: the subnet of the nodes' VNet delegated to Azure Container Instances",
      );
    } else if (nodeSubnet && virtualNodes.subnetName === nodeSubnet.name) {
      errors.add('virtualNodes.subnetName', "must be a subnet of its own, not the nodes' subnet");
    } else if (!nodeSubnet && virtualNodes.subnetName === 'nodes') {
      errors.add(
        'virtualNodes.subnetName',
        '"nodes" is the nodes\' subnet; virtual nodes need a subnet of their own',
      );
    }
    if (plugin !== undefined && plugin !== 'azure')
      errors.add('network.plugin', 'virtual nodes need plugin: azure');
    if (overlay) errors.add('network.pluginMode', 'virtual nodes do not work with pluginMode: overlay');
  }
}

function checkDnsServiceIP(network: Obj, serviceCidr: Ipv4Cidr | undefined, errors: Errors): void {
  const dnsServiceIP = orDefault(network.dnsServiceIP, '10.0.0.10', asStr);
  if (!serviceCidr || dnsServiceIP === undefined || !isIpv4Address(dnsServiceIP)) return;
  if (!addressInCidr(dnsServiceIP, serviceCidr)) {
    errors.add(
      'network.dnsServiceIP',
      `${dnsServiceIP} is not inside network.serviceCidr ${serviceCidr.text}`,
    );
  } else if (
    [
      nthAddress(serviceCidr, 0),
      nthAddress(serviceCidr, 1),
      nthAddress(serviceCidr, cidrSize(serviceCidr) - 1),
    ].includes(dnsServiceIP)
  ) {
    errors.add(
      'network.dnsServiceIP',
      `${dnsServiceIP} is reserved in ${serviceCidr.text} (network, kubernetes service or broadcast address)`,
    );
  }
}

interface NetworkFacts {
  plugin: string | undefined;
  overlay: boolean;
  serviceCidr: Ipv4Cidr | undefined;
  podCidr: Ipv4Cidr | undefined;
  virtualNodesOn: boolean;
}

/** The VNet the provisioner creates: its subnets inside it and apart, clear of the cluster's ranges, big enough. */
function checkCreatedVnet(spec: Obj, vnet: Obj, facts: NetworkFacts, errors: Errors): void {
  const vnetCidr = orDefault(vnet.cidr, asCidr(DEFAULT_AKS_VNET_CIDR), asCidr);
  if (!vnetCidr) return;
  if (vnetCidr.prefix > 28) {
    errors.add(
      'network.vnet.cidr',
      `a VNet range must be /28 or larger to hold the cluster's subnets (got /${vnetCidr.prefix})`,
    );
    return;
  }
  const derived = defaultAksSubnetCidrs(vnetCidr);
  const nodes = orDefault(vnet.nodeSubnetCidr, asCidr(derived.nodes), asCidr);
  const virtual = facts.virtualNodesOn
    ? orDefault(vnet.virtualNodesSubnetCidr, asCidr(derived.virtualNodes), asCidr)
    : undefined;
  if (!facts.virtualNodesOn && vnet.virtualNodesSubnetCidr !== undefined) {
    errors.add('network.vnet.virtualNodesSubnetCidr', 'only with virtualNodes.enabled: true');
  }
  for (const [field, range] of [
    ['nodeSubnetCidr', nodes],
    ['virtualNodesSubnetCidr', virtual],
  ] as const) {
    if (range && !cidrContains(vnetCidr, range)) {
      errors.add(`network.vnet.${field}`, `${range.text} is not inside the VNet range ${vnetCidr.text}`);
    }
  }
  if (nodes && virtual && cidrsOverlap(nodes, virtual)) {
    errors.add(
      'network.vnet.virtualNodesSubnetCidr',
      `${virtual.text} overlaps the node subnet ${nodes.text}; the subnets must be disjoint`,
    );
  }
  for (const [field, range] of [
    ['serviceCidr', facts.serviceCidr],
    ['podCidr', facts.podCidr],
  ] as const) {
    if (range && cidrsOverlap(range, vnetCidr)) {
      errors.add(
        `network.${field}`,
        `${range.text} overlaps the VNet range ${vnetCidr.text}; choose a range outside it`,
      );
    }
  }
  if (nodes) {
    const pools = (asArr(spec.nodePools) ?? []).map((value) => {
      const pool = asObj(value) ?? {};
      return { count: asInt(pool.count), maxCount: asInt(pool.maxCount), maxPods: asInt(pool.maxPods) };
    });
    const problem = nodeSubnetCapacityProblem(nodes, pools, facts.plugin, facts.overlay);
    if (problem) errors.add('network.vnet.nodeSubnetCidr', problem);
  }
}

function checkAksAccess(spec: Obj, errors: Errors): void {
  const apiServer = asObj(spec.apiServer) ?? {};
  const authorized = asArr(apiServer.authorizedCidrs);
  const restricted = authorized?.some((range) => range !== OPEN_TO_ALL) === true;
  if (asBool(apiServer.private) === true && restricted) {
    errors.add(
      'apiServer.authorizedCidrs',
      'authorized ranges do not apply to a private API server; remove them or set private: false',
    );
  }
  if (asBool(asObj(spec.virtualNodes)?.enabled) === true && restricted) {
    errors.add(
      'apiServer.authorizedCidrs',
      'AKS does not support virtual nodes together with API server authorized IP ranges; remove the ranges or disable virtual nodes',
    );
  }

  const publicKey = asStr(asObj(spec.ssh)?.publicKey);
  if (publicKey !== undefined && publicKey.trim().startsWith('ssh-ed25519')) {
    errors.add(
      'ssh.publicKey',
      'AKS node pools accept only ssh-rsa keys of 2048 bits or more, not ssh-ed25519',
    );
  }

  const aad = asObj(spec.aad) ?? {};
  const localAccountsDisabled = orDefault(spec.disableLocalAccounts, true, asBool);
  const azureRbac = orDefault(aad.enableAzureRBAC, true, asBool);
  const adminGroups = orDefault(aad.adminGroupObjectIDs, [], asArr);
  if (localAccountsDisabled === true && azureRbac === false && adminGroups?.length === 0) {
    errors.add(
      'aad.adminGroupObjectIDs',
      'with local accounts disabled and Azure RBAC off, list at least one admin group, or nobody can sign in',
    );
  }
}

function checkAksFeatures(spec: Obj, errors: Errors): void {
  const tier = orDefault(spec.tier, 'Standard', asStr);
  if (spec.supportPlan === 'AKSLongTermSupport' && tier !== undefined && tier !== 'Premium') {
    errors.add('supportPlan', `long-term support needs tier: Premium (got ${tier})`);
  }
  const policy = asObj(spec.azurePolicy) ?? {};
  if (policy.initiative !== undefined && asBool(policy.enabled) === false) {
    errors.add(
      'azurePolicy.initiative',
      'a Kubernetes policy initiative needs the Azure Policy add-on (azurePolicy.enabled: true)',
    );
  }
}
