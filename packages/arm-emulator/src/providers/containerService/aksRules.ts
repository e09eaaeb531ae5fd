/**
 * What AKS refuses, with AKS's codes and messages: versions it does not offer, pools too far behind
 * their control plane, small System pools, non-RSA node keys, virtual nodes with authorized IP
 * ranges, an ACI subnet that is not delegated, a control-plane identity that may not join the
 * nodes' subnet, and manual counts on pools the cluster autoscaler owns.
 */
import { ArmError, badRequest, propertyChangeNotAllowed } from '../../armError';
import { ArmTypes, keyOf } from '../../armTypes';
import { asArray, asNumber, asObject, asString, type JsonObject } from '../../json';
import type { ResourceRecord } from '../../store/records';
import { memoryGiBOfVmSize, vcpusOfVmSize } from '../../vmSizes';
import type { ProviderContext } from '../provider';
import { minorsBehind, offeredRelease, supportsLongTermSupport } from './kubernetesVersions';

const NETWORK_CONTRIBUTOR = '4d97b98b-1d4f-4787-a291-c67834d212e7';
const ACI_SERVICE = 'microsoft.containerinstance/containergroups';

/**
 * AKS's answers for a version it does not offer in the region: `AgentPoolK8sVersionNotSupported` for
 * a pool's `orchestratorVersion`, `K8sVersionNotSupported` for the cluster's `kubernetesVersion` (as
 * AKS reports them, e.g. Azure/AKS-era issues quoting both codes with these messages).
 */
export function checkPoolVersionOffered(version: string): void {
  if (!offeredRelease(version)) {
    throw badRequest(
      'AgentPoolK8sVersionNotSupported',
      `Version ${version} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list`,
    );
  }
}

export function checkClusterVersionOffered(cluster: string, version: string): void {
  if (!offeredRelease(version)) {
    throw badRequest(
      'K8sVersionNotSupported',
      `Managed cluster ${cluster} has invalid version ${version}. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list`,
    );
  }
}

/** A pool's rules against its control plane and, on update, its previous state. */
export function checkPoolAgainstCluster(
  name: string,
  props: JsonObject,
  before: JsonObject | undefined,
  clusterVersion: string | undefined,
): void {
  const version = asString(props.orchestratorVersion);
  if (version !== undefined) {
    checkPoolVersionOffered(version);
    // Skew is judged against an offered control-plane version (an unoffered one is refused by itself).
    if (clusterVersion !== undefined && offeredRelease(clusterVersion)) {
      const behind = minorsBehind(clusterVersion, version);
      if (behind < 0 || behind > 2) {
        const [cpMinor, poolMinor] = [clusterVersion, version].map((v) => v.split('.')[1] ?? '');
        throw badRequest(
          'NodePoolMcVersionIncompatible',
          `Node pool version ${version} and control plane version ${clusterVersion} are incompatible. ` +
            (behind < 0
              ? `Minor version of node pool version ${poolMinor} is bigger than control plane version ${cpMinor}.`
              : `Minor version of node pool version ${poolMinor} is more than 2 behind control plane version ${cpMinor}.`) +
            ' For more information, please check https://aka.ms/version-skew-policy',
        );
      }
    }
  }
  if (asString(props.mode)?.toLowerCase() === 'system') {
    const size = asString(props.vmSize) ?? '';
    const vcpus = vcpusOfVmSize(size) ?? 0;
    const memory = memoryGiBOfVmSize(size);
    if (vcpus < 2 || (memory !== undefined && memory < 4)) {
      throw badRequest(
        'SystemPoolSkuTooLow',
        `System node pool must use VM sku with more than 2 cores and 4GB memory. Nodepool name: ${name}.`,
      );
    }
  }
  if (!before) return;
  const zones = (value: unknown): string =>
    asArray(value)
      .map((z) => (typeof z === 'string' ? z : JSON.stringify(z)))
      .sort()
      .join(',');
  if (zones(before.availabilityZones) !== zones(props.availabilityZones)) {
    throw propertyChangeNotAllowed('availabilityZones');
  }
  if ((asString(before.vmSize) ?? '').toLowerCase() !== (asString(props.vmSize) ?? '').toLowerCase()) {
    throw propertyChangeNotAllowed('vmSize');
  }
  const count = asNumber(props.count);
  const countBefore = asNumber(before.count);
  const changedCount = count !== undefined && countBefore !== undefined && count !== countBefore;
  if (changedCount && before.enableAutoScaling === true && props.enableAutoScaling === true) {
    throw badRequest(
      'BadRequest',
      `Cannot manually scale AgentPool '${name}' with cluster autoscaler enabled. Please disable cluster autoscaler first.`,
    );
  }
  if (changedCount && before.enableAutoScaling !== true && props.enableAutoScaling === true) {
    throw badRequest(
      'BadRequest',
      `Cannot manually scale and enable cluster autoscaler in the same update operation on VMSS Agentpool '${name}'.`,
    );
  }
}

/** Does `principalId` hold Network Contributor on the subnet or its VNet? */
function mayJoinSubnet(ctx: ProviderContext, subnetId: string, principalId: string): boolean {
  const subnet = ctx.record(keyOf(subnetId));
  const vnet = subnet?.parentKey ? ctx.record(subnet.parentKey) : undefined;
  return [subnet, vnet].some(
    (scope) =>
      scope !== undefined &&
      ctx.childrenOf(scope).some((child) => {
        if (!child.type.endsWith('/providers/roleAssignments')) return false;
        const p = asObject(child.body.properties) ?? {};
        return (
          asString(p.principalId)?.toLowerCase() === principalId.toLowerCase() &&
          (asString(p.roleDefinitionId) ?? '').toLowerCase().endsWith(NETWORK_CONTRIBUTOR)
        );
      }),
  );
}

/** The whole-cluster rules of a managed cluster PUT. */
export function checkClusterRules(ctx: ProviderContext, record: ResourceRecord): void {
  const props = asObject(record.body.properties) ?? {};
  const version = asString(props.kubernetesVersion);
  if (version !== undefined) checkClusterVersionOffered(record.name, version);
  if (asString(props.supportPlan) === 'AKSLongTermSupport') {
    if (asString(asObject(record.body.sku)?.tier) !== 'Premium') {
      throw badRequest(
        'InvalidParameter',
        'The AKSLongTermSupport support plan needs the Premium tier (sku.tier).',
      );
    }
    if (version !== undefined && !supportsLongTermSupport(version)) {
      throw badRequest('InvalidParameter', `Kubernetes ${version} has no long-term support.`);
    }
  }
  for (const key of asArray(asObject(asObject(props.linuxProfile)?.ssh)?.publicKeys).map(asObject)) {
    const data = asString(key?.keyData) ?? '';
    if (!data.startsWith('ssh-rsa ')) {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The value of parameter linuxProfile.ssh.publicKeys.keyData is invalid. Please see https://aka.ms/aks-naming-rules for more details.',
        {},
        'linuxProfile.ssh.publicKeys.keyData',
      );
    }
  }
  const addons = asObject(props.addonProfiles) ?? {};
  const aci = asObject(addons.aciConnectorLinux ?? addons.aciconnectorlinux);
  const ranges = asArray(asObject(props.apiServerAccessProfile)?.authorizedIPRanges);
  if (aci?.enabled === true && ranges.length > 0) {
    throw badRequest(
      'InvalidParameter',
      'The virtual-node add-on (aciConnectorLinux) cannot be used with API server authorized IP ranges.',
    );
  }
  const subnetId = asArray(props.agentPoolProfiles)
    .map((p) => asString(asObject(p)?.vnetSubnetID))
    .find((id) => id !== undefined);
  if (aci?.enabled === true) {
    const subnetName = asString(asObject(aci.config)?.SubnetName);
    if (subnetName === undefined || subnetId === undefined) {
      throw badRequest(
        'InvalidParameter',
        'The virtual-node add-on needs config.SubnetName and nodes in a custom VNet (vnetSubnetID).',
      );
    }
    const aciSubnetId = `${subnetId.slice(0, subnetId.toLowerCase().lastIndexOf('/subnets/'))}/subnets/${subnetName}`;
    const aciSubnet = ctx.record(keyOf(aciSubnetId));
    const delegated = asArray(asObject(aciSubnet?.body.properties)?.delegations).some(
      (d) => asString(asObject(asObject(d)?.properties)?.serviceName)?.toLowerCase() === ACI_SERVICE,
    );
    if (!aciSubnet || !delegated) {
      throw badRequest(
        'InvalidParameter',
        `The virtual-node subnet '${subnetName}' must exist in the nodes' VNet and be delegated to Microsoft.ContainerInstance/containerGroups.`,
      );
    }
  }
  const identity = asObject(record.body.identity);
  if (asString(identity?.type) === 'UserAssigned') {
    const ids = Object.keys(asObject(identity?.userAssignedIdentities) ?? {});
    const found = ids.map((id) => ctx.record(keyOf(id)));
    const missing = ids.find((_id, i) => found[i]?.type !== ArmTypes.userAssignedIdentity);
    if (ids.length !== 1 || missing !== undefined) {
      throw badRequest(
        'InvalidParameter',
        `identity.userAssignedIdentities must name exactly one existing user-assigned identity${missing !== undefined ? ` ('${missing}' was not found)` : ''}.`,
      );
    }
    const principalId = asString(found[0]?.derived.principalId);
    if (subnetId !== undefined && principalId !== undefined && !mayJoinSubnet(ctx, subnetId, principalId)) {
      throw new ArmError(
        400,
        'LinkedAuthorizationFailed',
        `The cluster identity (object id '${principalId}') does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope '${subnetId}'; grant it Network Contributor on the subnet or its VNet first.`,
      );
    }
  }
}
