/**
 * One NIC and one VM per node. NICs never carry a public IP (nodes are reached through the API
 * load balancer or from inside the VNet, and go out through the NAT gateway); VMs are Linux with
 * SSH keys only, a managed OS disk, and pinned to their zone.
 */
import { renderCustomData } from '../bootstrap/cloudConfig';
import { clusterBootstrap, nodeRole } from '../bootstrap/clusterBootstrap';
import type { ClusterBootstrap, NodeRole } from '../bootstrap/model';
import type { IaasClusterSpec, OsDiskSpec } from '../spec';
import type { BootstrapAccessPlan } from './bootstrapAccess';
import { type PlanContext, resource, sshOnlyLinux, TAG_NODE, TAG_POOL } from './context';
import { type ExistingNode, nodeNamePrefix, type NodePlacement, placeNodesAcrossZones } from './placement';
import { type ExistingScaleSets, planPoolScaleSets, poolOrchestration, splitCapacity } from './scaleSets';
import { CONTROL_PLANE_POOL, type JsonObject, type PlannedResource, ResourceTypes } from './types';

export { CONTROL_PLANE_POOL } from './types';

/** Existing nodes by pool name (`controlPlane` for the control plane), so growing keeps names and zones. */
export type ExistingNodes = Readonly<Record<string, readonly ExistingNode[]>>;

interface NodeGroup {
  pool: string;
  vmSize: string;
  osDisk: OsDiskSpec;
  cloudInit?: string;
  subnetId: string;
  backendPoolIds: string[];
  /** Resources a NIC of this group must wait for. */
  nicDependsOn: string[];
  /** The user-assigned identity the group's VMs read their bootstrap secrets as. */
  identityId: string;
  /** Resources a VM of this group must wait for besides its NIC (its identity and role). */
  vmDependsOn: string[];
  placements: NodePlacement[];
  nicRole: 'controlPlaneNic' | 'workerNic';
  vmRole: 'controlPlaneVm' | 'workerVm';
}

export function planNodes(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  refs: {
    controlPlaneSubnetId: string;
    workerSubnetId: string;
    loadBalancerId: string;
    backendPoolId: string;
    internalLoadBalancerId: string;
    internalBackendPoolId: string;
    /** Identities and role assignments the nodes read the cluster's vault with (bootstrapAccess.ts). */
    access: Pick<
      BootstrapAccessPlan,
      'controlPlaneIdentityId' | 'workerIdentityId' | 'controlPlaneReady' | 'workerReady'
    >;
  },
  existingNodes: ExistingNodes = {},
  existingScaleSets: ExistingScaleSets = {},
): PlannedResource[] {
  const orchestrationOf = (name: string, index: number): 'VirtualMachines' | 'FlexibleScaleSet' => {
    const pool = spec.nodePools[index];
    if (!pool) throw new Error(`no node pool at index ${index} (${name})`);
    const hasSets = existingScaleSets[name] !== undefined;
    const hasVms = (existingNodes[name] ?? []).length > 0;
    return poolOrchestration(
      pool,
      index,
      hasSets ? 'FlexibleScaleSet' : hasVms ? 'VirtualMachines' : undefined,
    );
  };
  const flexPools = spec.nodePools.filter((p, i) => orchestrationOf(p.name, i) === 'FlexibleScaleSet');
  const flexNames = new Set(flexPools.map((p) => p.name));
  const bootstrap = clusterBootstrap(spec, ctx.subscriptionId);
  // Once a control-plane node has existed the cluster is initialised: a new -cp-0 (a replacement) joins it.
  const initialized = (existingNodes[CONTROL_PLANE_POOL] ?? []).length > 0;
  const groups: NodeGroup[] = [
    {
      pool: CONTROL_PLANE_POOL,
      vmSize: spec.controlPlane.vmSize,
      osDisk: spec.controlPlane.osDisk,
      ...(spec.controlPlane.cloudInit !== undefined ? { cloudInit: spec.controlPlane.cloudInit } : {}),
      subnetId: refs.controlPlaneSubnetId,
      backendPoolIds: [refs.backendPoolId, refs.internalBackendPoolId],
      nicDependsOn: [refs.controlPlaneSubnetId, refs.loadBalancerId, refs.internalLoadBalancerId],
      identityId: refs.access.controlPlaneIdentityId,
      vmDependsOn: refs.access.controlPlaneReady,
      placements: placeNodesAcrossZones(
        nodeNamePrefix(spec.name, CONTROL_PLANE_POOL),
        spec.controlPlane.zones,
        spec.controlPlane.count,
        existingNodes[CONTROL_PLANE_POOL],
      ),
      nicRole: 'controlPlaneNic',
      vmRole: 'controlPlaneVm',
    },
    ...spec.nodePools
      .filter((pool) => !flexNames.has(pool.name))
      .map((pool): NodeGroup => ({
        pool: pool.name,
        vmSize: pool.vmSize,
        osDisk: pool.osDisk,
        ...(pool.cloudInit !== undefined ? { cloudInit: pool.cloudInit } : {}),
        subnetId: refs.workerSubnetId,
        backendPoolIds: [],
        nicDependsOn: [refs.workerSubnetId],
        identityId: refs.access.workerIdentityId,
        vmDependsOn: refs.access.workerReady,
        placements: placeNodesAcrossZones(
          nodeNamePrefix(spec.name, pool.name),
          pool.zones,
          pool.count,
          existingNodes[pool.name],
        ),
        nicRole: 'workerNic',
        vmRole: 'workerVm',
      })),
  ];
  const scaleSets = flexPools.flatMap((pool) =>
    planPoolScaleSets(
      spec,
      ctx,
      pool,
      {
        workerSubnetId: refs.workerSubnetId,
        workerIdentityId: refs.access.workerIdentityId,
        workerReady: refs.access.workerReady,
      },
      splitCapacity(pool.zones, pool.count, existingScaleSets[pool.name]),
    ),
  );
  const vms = groups.flatMap((group) =>
    group.placements.flatMap((placement) =>
      planNode(
        spec,
        ctx,
        group,
        placement,
        bootstrap,
        nodeRole(group.pool, placement.name, spec.name, initialized),
      ),
    ),
  );
  return [...vms, ...scaleSets];
}

function planNode(
  spec: IaasClusterSpec,
  ctx: PlanContext,
  group: NodeGroup,
  placement: NodePlacement,
  bootstrap: ClusterBootstrap,
  role: NodeRole,
): PlannedResource[] {
  const node = placement.name;
  const zone = placement.zone;
  const nodeTags = { [TAG_POOL]: group.pool, [TAG_NODE]: node };
  const nicId = ctx.id(ResourceTypes.networkInterface, `${node}-nic`);
  const vmId = ctx.id(ResourceTypes.virtualMachine, node);

  const ipConfiguration: JsonObject = {
    primary: true,
    privateIPAllocationMethod: 'Dynamic',
    privateIPAddressVersion: 'IPv4',
    subnet: { id: group.subnetId },
    ...(group.backendPoolIds.length > 0
      ? { loadBalancerBackendAddressPools: group.backendPoolIds.map((id) => ({ id })) }
      : {}),
  };
  const nic = resource({
    id: nicId,
    type: ResourceTypes.networkInterface,
    role: group.nicRole,
    ...(zone !== undefined ? { zone } : {}),
    node,
    pool: group.pool,
    dependsOn: [...group.nicDependsOn],
    owned: true,
    body: {
      location: spec.location,
      tags: ctx.tags(group.nicRole, nodeTags),
      properties: { ipConfigurations: [{ name: 'ipconfig1', properties: ipConfiguration }] },
    },
  });

  const { adminUsername, publicKey } = spec.ssh;
  const vm = resource({
    id: vmId,
    type: ResourceTypes.virtualMachine,
    role: group.vmRole,
    ...(zone !== undefined ? { zone } : {}),
    node,
    pool: group.pool,
    dependsOn: [nicId, ...group.vmDependsOn],
    owned: true,
    body: {
      location: spec.location,
      identity: { type: 'UserAssigned', userAssignedIdentities: { [group.identityId]: {} } },
      tags: ctx.tags(group.vmRole, {
        ...nodeTags,
        'clusterProvisioner.kubernetesVersion': spec.kubernetesVersion,
      }),
      ...(zone !== undefined ? { zones: [zone] } : {}),
      properties: {
        hardwareProfile: { vmSize: group.vmSize },
        storageProfile: {
          imageReference: { ...spec.image },
          osDisk: {
            name: `${node}-osdisk`,
            osType: 'Linux',
            createOption: 'FromImage',
            caching: 'ReadWrite',
            diskSizeGB: group.osDisk.sizeGB,
            managedDisk: { storageAccountType: group.osDisk.type },
            // The disk is not a planned resource; it lives and dies with its VM.
            deleteOption: 'Delete',
          },
        },
        osProfile: {
          computerName: node,
          adminUsername,
          linuxConfiguration: sshOnlyLinux(adminUsername, publicKey),
          // Kubernetes bootstrap (plus the spec's own cloud-init); no secret in it (see bootstrap/).
          customData: Buffer.from(
            renderCustomData({ cluster: bootstrap, role, pool: group.pool }, group.cloudInit),
            'utf8',
          ).toString('base64'),
        },
        networkProfile: { networkInterfaces: [{ id: nicId, properties: { primary: true } }] },
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      },
    },
  });
  return [nic, vm];
}
