/**
 * The provisioning plan: the contract between the pure planner (`src/cluster/plan`), the CLI,
 * `POST /api/clusters?dryRun=true` and the orchestrators that apply it. See ARCHITECTURE.md.
 */

/** ARM resource types the planner emits (the `type` of a planned resource). */
export const ResourceTypes = {
  virtualNetwork: 'Microsoft.Network/virtualNetworks',
  subnet: 'Microsoft.Network/virtualNetworks/subnets',
  networkSecurityGroup: 'Microsoft.Network/networkSecurityGroups',
  publicIPAddress: 'Microsoft.Network/publicIPAddresses',
  natGateway: 'Microsoft.Network/natGateways',
  loadBalancer: 'Microsoft.Network/loadBalancers',
  networkInterface: 'Microsoft.Network/networkInterfaces',
  virtualMachine: 'Microsoft.Compute/virtualMachines',
  virtualMachineScaleSet: 'Microsoft.Compute/virtualMachineScaleSets',
  managedCluster: 'Microsoft.ContainerService/managedClusters',
  agentPool: 'Microsoft.ContainerService/managedClusters/agentPools',
  userAssignedIdentity: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  roleAssignment: 'Microsoft.Authorization/roleAssignments',
  keyVault: 'Microsoft.KeyVault/vaults',
  policyAssignment: 'Microsoft.Authorization/policyAssignments',
  clusterExtension: 'Microsoft.KubernetesConfiguration/extensions',
  fluxConfiguration: 'Microsoft.KubernetesConfiguration/fluxConfigurations',
} as const;

export type ResourceType = (typeof ResourceTypes)[keyof typeof ResourceTypes];

/** The pool name of the control-plane nodes (in `existingNodes` and a node's `pool`). */
export const CONTROL_PLANE_POOL = 'controlPlane';

/** What a planned resource is for in the cluster; lets status and placement group resources. */
export type ResourceRole =
  | 'vnet'
  | 'controlPlaneSubnet'
  | 'workerSubnet'
  | 'controlPlaneNsg'
  | 'workerNsg'
  | 'natGatewayPublicIp'
  | 'natGateway'
  | 'apiServerPublicIp'
  | 'apiServerLoadBalancer'
  | 'apiServerInternalLoadBalancer'
  | 'controlPlaneNic'
  | 'controlPlaneVm'
  | 'workerNic'
  | 'workerVm'
  /** One Flexible scale set per zone of a worker pool (plan/scaleSets.ts); its members are the nodes. */
  | 'workerScaleSet'
  | 'managedCluster'
  | 'nodeSubnet'
  | 'virtualNodesSubnet'
  | 'controlPlaneIdentity'
  | 'nodeIdentity'
  | 'clusterVault'
  | 'vaultRoleAssignment'
  | 'vaultAppRoleAssignment'
  | 'networkRoleAssignment'
  | 'agentPool'
  | 'policyAssignment'
  | 'fluxExtension'
  | 'fluxConfiguration';

/** A JSON value, as bodies are sent on the wire. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface PlannedResource {
  /** Full ARM resource id (case as it will be PUT). */
  id: string;
  /** ARM resource type, e.g. `Microsoft.Network/networkSecurityGroups`. */
  type: ResourceType;
  /** Resource name (last id segment). */
  name: string;
  role: ResourceRole;
  /** Availability zone ("1", "2", "3") for zonal resources (NICs and VMs of a node). */
  zone?: string;
  /** Node this resource belongs to (NIC and VM), e.g. `demo-cp-0`, `demo-pool1-2`. */
  node?: string;
  /** Node pool of a worker node, or `controlPlane`. */
  pool?: string;
  /** Ids of planned or brought resources that must exist before this one is PUT. */
  dependsOn: string[];
  /** False for resources the user brought (verified, never written or deleted). */
  owned: boolean;
  /** The ARM request body exactly as it is PUT (nested `properties`); for brought resources, the expectation. */
  body: JsonObject;
  /**
   * Body fields only known once a resource this one depends on exists (a role assignment's
   * `principalId` is its identity's): filled in from that resource's outputs when applied. The
   * planned body holds a placeholder there, `[<output> of <id>]`.
   */
  inputs?: PlannedInput[];
}

export interface PlannedInput {
  /** Dotted path in the wire body, e.g. `properties.principalId`. */
  path: string;
  /** Id of the resource (in `dependsOn`) whose output fills it. */
  from: string;
  /** The output's name, e.g. `principalId`. */
  output: string;
}

export interface Plan {
  cluster: {
    name: string;
    type: 'iaas' | 'aks';
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    zones: string[];
  };
  resources: PlannedResource[];
}
