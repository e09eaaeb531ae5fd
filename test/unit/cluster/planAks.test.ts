import { type Plan, planCluster, type PlannedResource, stableGuid } from '../../../src/cluster/plan';
import { type AksClusterSpecInput, type ClusterSpec } from '../../../src/cluster/spec';
import { parseClusterSpec } from '../../../src/cluster/validate';
import { aksInput, RSA_3072_KEY, setPath, SUBSCRIPTION_ID } from './fixtures';

function specOf(input: unknown): ClusterSpec {
  const result = parseClusterSpec(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const plan = (input: unknown): Plan => planCluster(specOf(input), { subscriptionId: SUBSCRIPTION_ID });
const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-demo`;
const providers = `${rg}/providers`;
const clusterId = `${providers}/Microsoft.ContainerService/managedClusters/demo-aks`;
const vnetId = `${providers}/Microsoft.Network/virtualNetworks/demo-aks-vnet`;
const nodeSubnetId = `${vnetId}/subnets/nodes`;
const aciSubnetId = `${vnetId}/subnets/virtual-nodes`;
const identityId = `${providers}/Microsoft.ManagedIdentity/userAssignedIdentities/demo-aks-control-plane`;
const networkContributor = `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`;

function byRole(p: Plan, role: PlannedResource['role']): PlannedResource[] {
  return p.resources.filter((r) => r.role === role);
}
function one(p: Plan, role: PlannedResource['role']): PlannedResource {
  const [found, extra] = byRole(p, role);
  if (!found || extra) throw new Error(`expected exactly one ${role}`);
  return found;
}
const props = (r: PlannedResource): Record<string, unknown> => r.body.properties as Record<string, unknown>;

/** Three pools (one autoscaled, zones 1-3), KEDA, virtual nodes, Entra ID, policy and GitOps. */
function fullInput(): AksClusterSpecInput {
  return {
    ...aksInput(),
    tags: { env: 'prod' },
    autoscaler: {
      scanInterval: '20s',
      expander: 'least-waste',
      balanceSimilarNodeGroups: true,
      maxGracefulTerminationSec: 600,
    },
    nodePools: [
      { name: 'system', count: 3, vmSize: 'Standard_D4s_v5', zones: ['1', '2', '3'] },
      {
        name: 'apps',
        count: 2,
        minCount: 1,
        maxCount: 10,
        vmSize: 'Standard_D8s_v5',
        zones: ['1', '2', '3'],
        maxPods: 50,
      },
      {
        name: 'batch',
        count: 1,
        vmSize: 'Standard_D4s_v5',
        zones: ['1', '2', '3'],
        kubernetesVersion: '1.32',
        osDiskSizeGB: 256,
      },
    ],
    aad: {
      adminGroupObjectIDs: ['6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d'],
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    },
    virtualNodes: { enabled: true },
    azurePolicy: {
      initiative: 'podSecurityBaseline',
      effect: 'Deny',
      excludedNamespaces: ['kube-system', 'flux-system'],
    },
    gitOps: {
      url: 'https://github.com/example/fleet',
      branch: 'prod',
      path: './clusters/demo',
      interval: '5m',
    },
    ssh: { publicKey: RSA_3072_KEY },
  };
}

describe('planCluster: AKS resources and their order', () => {
  it('plans network, identity, cluster, every pool, policy and GitOps, with the dependencies between them', () => {
    const p = plan(fullInput());
    const nodeRole = `${nodeSubnetId}/providers/Microsoft.Authorization/roleAssignments/${stableGuid(nodeSubnetId, '4d97b98b-1d4f-4787-a291-c67834d212e7', identityId)}`;
    const vnetRole = `${vnetId}/providers/Microsoft.Authorization/roleAssignments/${stableGuid(vnetId, '4d97b98b-1d4f-4787-a291-c67834d212e7', identityId)}`;
    const extensionId = `${clusterId}/providers/Microsoft.KubernetesConfiguration/extensions/flux`;
    expect(p.resources.map((r) => [r.id, r.type, r.dependsOn, r.owned])).toEqual([
      [vnetId, 'Microsoft.Network/virtualNetworks', [], true],
      [nodeSubnetId, 'Microsoft.Network/virtualNetworks/subnets', [vnetId], true],
      [aciSubnetId, 'Microsoft.Network/virtualNetworks/subnets', [vnetId, nodeSubnetId], true],
      [identityId, 'Microsoft.ManagedIdentity/userAssignedIdentities', [], true],
      [nodeRole, 'Microsoft.Authorization/roleAssignments', [identityId, nodeSubnetId], true],
      [vnetRole, 'Microsoft.Authorization/roleAssignments', [identityId, vnetId], true],
      [
        clusterId,
        'Microsoft.ContainerService/managedClusters',
        [identityId, nodeRole, vnetRole, nodeSubnetId, aciSubnetId],
        true,
      ],
      [
        `${clusterId}/agentPools/system`,
        'Microsoft.ContainerService/managedClusters/agentPools',
        [clusterId],
        true,
      ],
      [
        `${clusterId}/agentPools/apps`,
        'Microsoft.ContainerService/managedClusters/agentPools',
        [clusterId],
        true,
      ],
      [
        `${clusterId}/agentPools/batch`,
        'Microsoft.ContainerService/managedClusters/agentPools',
        [clusterId],
        true,
      ],
      [
        `${providers}/Microsoft.Authorization/policyAssignments/demo-aks-pod-security-baseline`,
        'Microsoft.Authorization/policyAssignments',
        [],
        true,
      ],
      [
        extensionId,
        'Microsoft.KubernetesConfiguration/extensions',
        [
          clusterId,
          `${clusterId}/agentPools/system`,
          `${clusterId}/agentPools/apps`,
          `${clusterId}/agentPools/batch`,
        ],
        true,
      ],
      [
        `${clusterId}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
        'Microsoft.KubernetesConfiguration/fluxConfigurations',
        [extensionId],
        true,
      ],
    ]);
    expect(p.cluster).toMatchObject({ type: 'aks', zones: ['1', '2', '3'] });
  });

  it('gives role assignments stable GUID names, the same on every plan and different per scope', () => {
    const first = byRole(plan(fullInput()), 'networkRoleAssignment').map((r) => r.name);
    const again = byRole(plan(fullInput()), 'networkRoleAssignment').map((r) => r.name);
    expect(first).toEqual(again);
    expect(new Set(first).size).toBe(2);
    for (const name of first)
      expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('plans only the cluster network, identity, cluster and pool for the minimal spec', () => {
    expect(plan(aksInput()).resources.map((r) => r.role)).toEqual([
      'vnet',
      'nodeSubnet',
      'controlPlaneIdentity',
      'networkRoleAssignment',
      'managedCluster',
      'agentPool',
    ]);
  });
});

describe('planCluster: AKS network and identity bodies', () => {
  it('creates the VNet, the nodes subnet and a subnet delegated to Azure Container Instances', () => {
    const p = plan(fullInput());
    expect(one(p, 'vnet').body).toEqual({
      location: 'eastus',
      tags: { env: 'prod', 'clusterProvisioner.cluster': 'demo-aks', 'clusterProvisioner.role': 'vnet' },
      properties: { addressSpace: { addressPrefixes: ['10.224.0.0/12'] } },
    });
    expect(one(p, 'nodeSubnet').body).toEqual({ properties: { addressPrefix: '10.224.0.0/16' } });
    expect(one(p, 'virtualNodesSubnet').body).toEqual({
      properties: {
        addressPrefix: '10.225.0.0/16',
        delegations: [
          { name: 'aci', properties: { serviceName: 'Microsoft.ContainerInstance/containerGroups' } },
        ],
      },
    });
  });

  it('reads a brought network (never owned) and expects its virtual-nodes subnet delegated', () => {
    const input = {
      ...fullInput(),
      virtualNodes: { enabled: true, subnetName: 'aci' },
      network: { nodeSubnet: { vnetResourceGroup: 'rg-net', vnetName: 'hub', name: 'aks' } },
    };
    const p = plan(input);
    const hub = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub`;
    expect(
      [one(p, 'vnet'), one(p, 'nodeSubnet'), one(p, 'virtualNodesSubnet')].map((r) => [
        r.id,
        r.owned,
        r.body,
      ]),
    ).toEqual([
      [hub, false, {}],
      [`${hub}/subnets/aks`, false, {}],
      [
        `${hub}/subnets/aci`,
        false,
        {
          properties: {
            delegations: [{ properties: { serviceName: 'Microsoft.ContainerInstance/containerGroups' } }],
          },
        },
      ],
    ]);
    // The role assignments on a brought network are ours: made for the cluster, removed with it.
    expect(
      byRole(p, 'networkRoleAssignment').map((r) => [
        r.id.startsWith(`${hub}/subnets/aks/providers/`) || r.id.startsWith(`${hub}/providers/`),
        r.owned,
      ]),
    ).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(props(one(p, 'managedCluster')).agentPoolProfiles).toEqual([
      expect.objectContaining({ vnetSubnetID: `${hub}/subnets/aks` }),
    ]);
  });

  it('makes a user-assigned identity and grants it Network Contributor, its principal filled in when applied', () => {
    const p = plan(aksInput());
    expect(one(p, 'controlPlaneIdentity').body).toEqual({
      location: 'eastus',
      tags: { 'clusterProvisioner.cluster': 'demo-aks', 'clusterProvisioner.role': 'controlPlaneIdentity' },
    });
    const assignment = one(p, 'networkRoleAssignment');
    expect(
      assignment.id.startsWith(`${nodeSubnetId}/providers/Microsoft.Authorization/roleAssignments/`),
    ).toBe(true);
    expect(assignment.body).toEqual({
      properties: {
        roleDefinitionId: networkContributor,
        principalId: `[principalId of ${identityId}]`,
        principalType: 'ServicePrincipal',
        description: "AKS cluster demo-aks: control plane manages the cluster's network",
      },
    });
    expect(assignment.inputs).toEqual([
      { path: 'properties.principalId', from: identityId, output: 'principalId' },
    ]);
  });
});

describe('planCluster: the managed cluster body', () => {
  it('carries every option of the spec and only the System pool', () => {
    const body = one(plan(fullInput()), 'managedCluster').body;
    expect(body).toEqual({
      location: 'eastus',
      tags: {
        env: 'prod',
        'clusterProvisioner.cluster': 'demo-aks',
        'clusterProvisioner.role': 'managedCluster',
      },
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
      sku: { name: 'Base', tier: 'Standard' },
      properties: {
        kubernetesVersion: '1.33',
        supportPlan: 'KubernetesOfficial',
        dnsPrefix: 'demo-aks',
        enableRBAC: true,
        agentPoolProfiles: [
          {
            name: 'system',
            mode: 'System',
            type: 'VirtualMachineScaleSets',
            osType: 'Linux',
            vmSize: 'Standard_D4s_v5',
            orchestratorVersion: '1.33',
            count: 3,
            enableAutoScaling: false,
            availabilityZones: ['1', '2', '3'],
            vnetSubnetID: nodeSubnetId,
          },
        ],
        linuxProfile: { adminUsername: 'azureuser', ssh: { publicKeys: [{ keyData: RSA_3072_KEY }] } },
        aadProfile: {
          managed: true,
          enableAzureRBAC: true,
          adminGroupObjectIDs: ['6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d'],
          tenantID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        },
        disableLocalAccounts: true,
        apiServerAccessProfile: { enablePrivateCluster: false },
        networkProfile: {
          networkPlugin: 'azure',
          serviceCidr: '10.0.0.0/16',
          dnsServiceIP: '10.0.0.10',
          loadBalancerSku: 'standard',
          outboundType: 'loadBalancer',
        },
        addonProfiles: {
          aciConnectorLinux: { enabled: true, config: { SubnetName: 'virtual-nodes' } },
          azurepolicy: { enabled: true },
        },
        workloadAutoScalerProfile: { keda: { enabled: true } },
        autoScalerProfile: {
          'scan-interval': '20s',
          expander: 'least-waste',
          'balance-similar-node-groups': 'true',
          'max-graceful-termination-sec': '600',
        },
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true } },
      },
    });
  });

  it.each<[string, AksClusterSpecInput, Record<string, unknown>]>([
    ['open API server', aksInput(), { apiServerAccessProfile: { enablePrivateCluster: false } }],
    [
      'private API server',
      setPath(aksInput(), 'apiServer.private', true),
      { apiServerAccessProfile: { enablePrivateCluster: true } },
    ],
    [
      'authorized ranges',
      setPath(aksInput(), 'apiServer.authorizedCidrs', ['203.0.113.0/24', '198.51.100.7']),
      {
        apiServerAccessProfile: {
          enablePrivateCluster: false,
          authorizedIPRanges: ['203.0.113.0/24', '198.51.100.7/32'],
        },
      },
    ],
    [
      'overlay with cilium',
      { ...aksInput(), network: { pluginMode: 'overlay', policy: 'cilium' } },
      {
        networkProfile: {
          networkPlugin: 'azure',
          networkPluginMode: 'overlay',
          networkPolicy: 'cilium',
          networkDataplane: 'cilium',
          podCidr: '10.244.0.0/16',
          serviceCidr: '10.0.0.0/16',
          dnsServiceIP: '10.0.0.10',
          loadBalancerSku: 'standard',
          outboundType: 'loadBalancer',
        },
      },
    ],
    [
      'add-ons off',
      { ...aksInput(), keda: { enabled: false }, azurePolicy: { enabled: false } },
      {
        addonProfiles: { aciConnectorLinux: { enabled: false }, azurepolicy: { enabled: false } },
        workloadAutoScalerProfile: { keda: { enabled: false } },
      },
    ],
    [
      'long-term support',
      { ...aksInput(), tier: 'Premium', supportPlan: 'AKSLongTermSupport' },
      { supportPlan: 'AKSLongTermSupport' },
    ],
    [
      'Entra ID without Azure RBAC',
      {
        ...aksInput(),
        aad: { enableAzureRBAC: false, adminGroupObjectIDs: ['6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d'] },
      },
      {
        aadProfile: {
          managed: true,
          enableAzureRBAC: false,
          adminGroupObjectIDs: ['6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d'],
        },
      },
    ],
  ])('%s', (_name, input, expected) => {
    expect(props(one(plan(input), 'managedCluster'))).toMatchObject(expected);
  });

  it('sends no autoscaler profile when the spec sets none (AKS keeps its defaults)', () => {
    expect(props(one(plan(aksInput()), 'managedCluster'))).not.toHaveProperty('autoScalerProfile');
  });

  it('puts the first System pool in the body even when a User pool comes first', () => {
    const input = {
      ...aksInput(),
      nodePools: [
        { name: 'apps', mode: 'User' as const, count: 1, vmSize: 'Standard_D4s_v5' },
        { name: 'sys', mode: 'System' as const, count: 2, vmSize: 'Standard_D2s_v5' },
      ],
    };
    expect(
      (props(one(plan(input), 'managedCluster')).agentPoolProfiles as { name: string }[]).map((p) => p.name),
    ).toEqual(['sys']);
  });
});

describe('planCluster: agent pools', () => {
  it.each<[string, number, Record<string, unknown>]>([
    [
      'a fixed pool',
      0,
      {
        mode: 'System',
        type: 'VirtualMachineScaleSets',
        osType: 'Linux',
        vmSize: 'Standard_D4s_v5',
        orchestratorVersion: '1.33',
        count: 3,
        enableAutoScaling: false,
        availabilityZones: ['1', '2', '3'],
        vnetSubnetID: nodeSubnetId,
      },
    ],
    [
      'an autoscaled pool with its bounds',
      1,
      {
        mode: 'User',
        type: 'VirtualMachineScaleSets',
        osType: 'Linux',
        vmSize: 'Standard_D8s_v5',
        orchestratorVersion: '1.33',
        count: 2,
        enableAutoScaling: true,
        minCount: 1,
        maxCount: 10,
        availabilityZones: ['1', '2', '3'],
        maxPods: 50,
        vnetSubnetID: nodeSubnetId,
      },
    ],
    [
      'a pool on an older minor with a bigger disk',
      2,
      {
        mode: 'User',
        type: 'VirtualMachineScaleSets',
        osType: 'Linux',
        vmSize: 'Standard_D4s_v5',
        orchestratorVersion: '1.32',
        count: 1,
        enableAutoScaling: false,
        availabilityZones: ['1', '2', '3'],
        osDiskSizeGB: 256,
        vnetSubnetID: nodeSubnetId,
      },
    ],
  ])('%s', (_name, index, properties) => {
    const pool = byRole(plan(fullInput()), 'agentPool')[index];
    expect(pool?.body).toEqual({ properties });
  });

  it('a pool with bounds but clusterAutoscaler: false is sized by the provisioner: a count, no autoscaler window', () => {
    const input = fullInput();
    (input.nodePools[1] as Record<string, unknown>)['clusterAutoscaler'] = false;
    const apps = byRole(plan(input), 'agentPool')[1];
    expect(apps ? props(apps) : {}).toMatchObject({ count: 2, enableAutoScaling: false });
    expect(apps ? props(apps) : {}).not.toHaveProperty('minCount');
    expect(apps ? props(apps) : {}).not.toHaveProperty('maxCount');
    expect(specOf(input).nodePools[1]).toMatchObject({ minCount: 1, maxCount: 10, clusterAutoscaler: false });
  });

  it('omits zones in a region without them', () => {
    const pool = one(plan(setPath(aksInput(), 'location', 'westus')), 'agentPool');
    expect(props(pool)).not.toHaveProperty('availabilityZones');
  });
});

describe('planCluster: policy and GitOps', () => {
  it.each<[string, 'podSecurityBaseline' | 'podSecurityRestricted', string, string]>([
    ['baseline', 'podSecurityBaseline', 'pod-security-baseline', 'a8640138-9b0a-4a28-b8cb-1666c838647d'],
    [
      'restricted',
      'podSecurityRestricted',
      'pod-security-restricted',
      '42b8ef37-b724-4e24-bbc8-7a7708edfe00',
    ],
  ])(
    'assigns the %s initiative at the resource group, named for the cluster',
    (_name, initiative, slug, guid) => {
      const p = plan({ ...aksInput(), azurePolicy: { initiative } });
      const assignment = one(p, 'policyAssignment');
      expect(assignment.id).toBe(`${providers}/Microsoft.Authorization/policyAssignments/demo-aks-${slug}`);
      expect(assignment.body).toEqual({
        properties: {
          displayName: expect.stringMatching(/^demo-aks: Kubernetes cluster pod security/) as unknown,
          description: expect.stringContaining('every cluster in resource group rg-demo') as unknown,
          policyDefinitionId: `/providers/Microsoft.Authorization/policySetDefinitions/${guid}`,
          enforcementMode: 'Default',
          parameters: {
            effect: { value: 'Audit' },
            excludedNamespaces: {
              value: ['kube-system', 'gatekeeper-system', 'azure-arc', 'azure-extensions-usage-system'],
            },
          },
          metadata: { 'clusterProvisioner.cluster': 'demo-aks' },
        },
      });
    },
  );

  it('passes the effect and excluded namespaces the spec chose', () => {
    const parameters = props(one(plan(fullInput()), 'policyAssignment')).parameters;
    expect(parameters).toEqual({
      effect: { value: 'Deny' },
      excludedNamespaces: { value: ['kube-system', 'flux-system'] },
    });
  });

  it('assigns nothing without an initiative', () => {
    expect(byRole(plan(aksInput()), 'policyAssignment')).toEqual([]);
  });

  it('installs the Flux extension, then a Flux configuration for the repository, branch, path and interval', () => {
    const p = plan(fullInput());
    expect(one(p, 'fluxExtension').body).toEqual({
      properties: {
        extensionType: 'microsoft.flux',
        autoUpgradeMinorVersion: true,
        releaseTrain: 'Stable',
        scope: { cluster: { releaseNamespace: 'flux-system' } },
      },
    });
    expect(one(p, 'fluxConfiguration').body).toEqual({
      properties: {
        scope: 'cluster',
        namespace: 'flux-system',
        sourceKind: 'GitRepository',
        suspend: false,
        gitRepository: {
          url: 'https://github.com/example/fleet',
          repositoryRef: { branch: 'prod' },
          syncIntervalInSeconds: 300,
          timeoutInSeconds: 600,
        },
        kustomizations: {
          cluster: {
            path: './clusters/demo',
            dependsOn: [],
            syncIntervalInSeconds: 300,
            timeoutInSeconds: 600,
            prune: true,
          },
        },
      },
    });
  });
});
