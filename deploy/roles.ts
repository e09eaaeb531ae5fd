/**
 * The Azure RBAC roles the app's identity gets, and why: the least each feature of the app needs.
 * Built-in role definition ids are the same in every Azure cloud and tenant.
 */

export const BuiltInRoles = {
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
  virtualMachineContributor: '9980e02c-c2be-4d73-94e8-173b1dc7cf3c',
  aksContributor: 'ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8',
  managedIdentityContributor: 'e40ec5ca-96e0-45a2-b4ff-59039f2c2b59',
  managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
  rbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  keyVaultContributor: 'f25e0fa2-a7c8-4049-a3a3-0f6c6cb2a4c3',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  resourcePolicyContributor: '36243c78-bf99-498c-9df9-86d9f8d28608',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/** What the app does in a target resource group; each feature brings its roles. */
export const FEATURES = ['iaas', 'aks', 'keyvault', 'policy'] as const;
export type Feature = (typeof FEATURES)[number];

export interface TargetRole {
  roleDefinitionId: string;
  name: string;
  why: string;
  /** An ABAC condition (version 2.0) limiting what the role allows. */
  condition?: string;
}

const FEATURE_ROLES: Record<Feature, TargetRole[]> = {
  iaas: [
    {
      roleDefinitionId: BuiltInRoles.networkContributor,
      name: 'Network Contributor',
      why: 'VNets, subnets, NSGs, public IPs, NAT gateways, load balancers, NICs',
    },
    {
      roleDefinitionId: BuiltInRoles.virtualMachineContributor,
      name: 'Virtual Machine Contributor',
      why: 'the nodes (VMs and their disks); grants no login to them and no network writes',
    },
  ],
  aks: [
    {
      roleDefinitionId: BuiltInRoles.networkContributor,
      name: 'Network Contributor',
      why: "the cluster's VNet and subnets",
    },
    {
      roleDefinitionId: BuiltInRoles.aksContributor,
      name: 'Azure Kubernetes Service Contributor Role',
      why: 'managed clusters and agent pools; no access to the cluster API (no cluster-admin credentials)',
    },
    {
      roleDefinitionId: BuiltInRoles.managedIdentityContributor,
      name: 'Managed Identity Contributor',
      why: "creates the clusters' control-plane identities",
    },
    {
      roleDefinitionId: BuiltInRoles.managedIdentityOperator,
      name: 'Managed Identity Operator',
      why: 'assigns those identities to clusters and VMs (userAssignedIdentities/assign/action)',
    },
  ],
  // What the app needs once IaaS clusters have vaults (kubeadm bootstrap): a vault per cluster holding
  // its join token and CAs, and a user-assigned identity per node role that reads them.
  keyvault: [
    {
      roleDefinitionId: BuiltInRoles.keyVaultContributor,
      name: 'Key Vault Contributor',
      why: "creates the clusters' vaults (management plane only: no secret reads)",
    },
    {
      roleDefinitionId: BuiltInRoles.keyVaultSecretsOfficer,
      name: 'Key Vault Secrets Officer',
      why: 'writes the bootstrap secrets (join tokens, CAs) into those vaults',
    },
    {
      roleDefinitionId: BuiltInRoles.managedIdentityContributor,
      name: 'Managed Identity Contributor',
      why: "creates the nodes' identities that read the vault",
    },
    {
      roleDefinitionId: BuiltInRoles.managedIdentityOperator,
      name: 'Managed Identity Operator',
      why: 'attaches those identities to the VMs (userAssignedIdentities/assign/action)',
    },
  ],
  policy: [
    {
      roleDefinitionId: BuiltInRoles.resourcePolicyContributor,
      name: 'Resource Policy Contributor',
      why: 'assigns the Azure Policy initiative of AKS clusters',
    },
  ],
};

/**
 * Roles the app itself hands out (to cluster identities) per feature: AKS gives its control-plane
 * identity Network Contributor on the subnet; bootstrapped VMs read their vault as Key Vault Secrets User.
 */
const ASSIGNED_BY_APP: Partial<Record<Feature, string[]>> = {
  aks: [BuiltInRoles.networkContributor],
  keyvault: [BuiltInRoles.keyVaultSecretsUser],
};

/**
 * Role assignment writes come from Role Based Access Control Administrator with a condition: the app
 * may create and delete assignments of exactly the roles it hands out, and nothing else. User Access
 * Administrator (or an unconditioned RBAC Administrator) would let a compromised app grant itself or
 * anyone Owner on the resource group.
 */
export function roleAssignmentCondition(roleIds: readonly string[]): string {
  const ids = [...roleIds].sort().join(', ');
  return (
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ` +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}})) AND ` +
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR ` +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`
  );
}

/** The roles the app's identity gets on each target resource group for these features. */
export function targetRoles(features: readonly Feature[]): TargetRole[] {
  const chosen = FEATURES.filter((f) => features.includes(f));
  const roles = chosen.flatMap((f) => FEATURE_ROLES[f]);
  const handedOut = [...new Set(chosen.flatMap((f) => ASSIGNED_BY_APP[f] ?? []))];
  if (handedOut.length > 0) {
    roles.push({
      roleDefinitionId: BuiltInRoles.rbacAdministrator,
      name: 'Role Based Access Control Administrator (conditioned)',
      why: `assigns only ${handedOut.length === 1 ? 'this role' : 'these roles'} to cluster identities: ${handedOut.join(', ')}`,
      condition: roleAssignmentCondition(handedOut),
    });
  }
  // One assignment per role: a role brought by two features is assigned once.
  const seen = new Set<string>();
  return roles.filter((r) => !seen.has(r.roleDefinitionId) && seen.add(r.roleDefinitionId));
}
