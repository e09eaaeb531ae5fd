/**
 * What an AKS deployment needs around the cluster, through the real SDK clients: Kubernetes versions
 * per location, user-assigned identities, role assignments at subnet and VNet scope, policy
 * assignments, cluster extensions and Flux configurations, subnet delegation — and AKS's refusals
 * and events.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { ManagedCluster } from '@azure/arm-containerservice';
import { SourceControlConfigurationClient } from '@azure/arm-kubernetesconfiguration';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { PolicyClient } from '@azure/arm-policy';
import type { TokenCredential } from '@azure/core-auth';

import { errorCode, id, type Kit, LOCATION, RG, startKit, SUBSCRIPTION } from './armTestKit';

const token: TokenCredential = {
  getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const NETWORK_CONTRIBUTOR = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`;
const BASELINE =
  '/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d';
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCU83s6K8STKz7KW0nPJGAwkAUZseBbTmGaVXKFm1AHRG1bQpuAMirUuZ/aqbWuewulo5OMFdgrUJtAkvlje55Nyrh6OsEjKOmHjxmDN/aFUaso3+8TvB65zdAbbkN8Dq9kvDQy8rIUwLAyJHChkOf5qlPKFUbvaL8P5bl5/xbdnJMIQaiWmxkqc0PJcgwKrPSJmM/O157ZYXUJ4HH+AnizwHnjwe4hMJakTBM51vV5oLCx1f/0JeSKee9XBies+ajlAZBJeKv534Ao/6EsX54hPXD/r3BAi0EU+c5o+nQXs03kAjLUQpB8HKHRuXfL7w/hNZnnCKP06/jTmTCCICyZEZyVEk1u9/o5/49e857o3HZNkKvPV4TqYRe0txssdX9QA3kKd2wrSVxN6uiO3t32kEiQr1JT75EJb0rkh00EJoNjQirinVEIyB0vRJpfbEI0gaQj3iPAcAxjVC+zOWgePsZwUxFDDPNLBH6lLQ053YTLdwjg/fq6JHUOM9r1ohE= rsa@example';

function extraClients(kit: Kit) {
  const options = {
    endpoint: kit.emulator.url,
    credentialScopes: [`${kit.emulator.url}/.default`],
    tlsOptions: { ca: kit.emulator.caCertPem },
    retryOptions: { maxRetries: 0 },
  };
  return {
    msi: new ManagedServiceIdentityClient(token, SUBSCRIPTION, options),
    authorization: new AuthorizationManagementClient(token, SUBSCRIPTION, options),
    policy: new PolicyClient(token, SUBSCRIPTION, options),
    config: new SourceControlConfigurationClient(token, SUBSCRIPTION, options),
  };
}

describe('ARM emulator: what a managed AKS cluster needs', () => {
  let kit: Kit;
  let clients: ReturnType<typeof extraClients>;
  beforeEach(async () => {
    kit = await startKit({ vcpuQuotaPerRegion: 200 });
    clients = extraClients(kit);
  });
  afterEach(async () => {
    await kit.close();
  });

  const vnetId = id('Microsoft.Network/virtualNetworks', 'vnet');
  const subnetId = `${vnetId}/subnets/nodes`;
  const identityId = id('Microsoft.ManagedIdentity/userAssignedIdentities', 'cp');

  async function network(): Promise<void> {
    await kit.clients.network.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      { location: LOCATION, addressSpace: { addressPrefixes: ['10.224.0.0/12'] } },
      kit.lro,
    );
    await kit.clients.network.subnets.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      'nodes',
      { addressPrefix: '10.224.0.0/16' },
      kit.lro,
    );
    await kit.clients.network.subnets.beginCreateOrUpdateAndWait(
      RG,
      'vnet',
      'aci',
      {
        addressPrefix: '10.225.0.0/16',
        delegations: [{ name: 'aci', serviceName: 'Microsoft.ContainerInstance/containerGroups' }],
      },
      kit.lro,
    );
  }

  async function identityWithRole(): Promise<string> {
    const identity = await clients.msi.userAssignedIdentities.createOrUpdate(RG, 'cp', {
      location: LOCATION,
    });
    const principalId = identity.principalId ?? '';
    await clients.authorization.roleAssignments.createById(
      `${subnetId}/providers/Microsoft.Authorization/roleAssignments/0b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
      {
        roleDefinitionId: NETWORK_CONTRIBUTOR,
        principalId,
        principalType: 'ServicePrincipal',
      },
    );
    return principalId;
  }

  const clusterBody = (
    overrides: Partial<ManagedCluster> = {},
    pool: Record<string, unknown> = {},
  ): ManagedCluster => ({
    location: LOCATION,
    dnsPrefix: 'demo',
    kubernetesVersion: '1.33',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
    agentPoolProfiles: [
      {
        name: 'system',
        mode: 'System',
        count: 3,
        vmSize: 'Standard_D4s_v5',
        orchestratorVersion: '1.33',
        availabilityZones: ['1', '2', '3'],
        vnetSubnetID: subnetId,
        ...pool,
      },
    ],
    ...overrides,
  });
  const putCluster = (body: ManagedCluster) =>
    kit.clients.containerService.managedClusters.beginCreateOrUpdateAndWait(RG, 'demo', body, kit.lro);

  it('lists the Kubernetes versions a location offers, with patches and support plans', async () => {
    const list = await kit.clients.containerService.managedClusters.listKubernetesVersions(LOCATION);
    const versions = list.values ?? [];
    expect(versions.map((v) => v.version)).toEqual(['1.31', '1.32', '1.33', '1.34']);
    expect(versions.find((v) => v.isDefault)?.version).toBe('1.33');
    expect(Object.keys(versions[2]?.patchVersions ?? {})).toEqual(['1.33.1', '1.33.2']);
    expect(versions[0]?.capabilities?.supportPlan).toContain('AKSLongTermSupport');
    expect(
      await errorCode(kit.clients.containerService.managedClusters.listKubernetesVersions('atlantis')),
    ).toBe('LocationNotAvailableForResourceType');
  });

  it('gives an identity a principal and refuses what ARM refuses of role assignments', async () => {
    await network();
    const principalId = await identityWithRole();
    expect(principalId).toMatch(/^[0-9a-f-]{36}$/);
    const assignment = await clients.authorization.roleAssignments.getById(
      `${subnetId}/providers/Microsoft.Authorization/roleAssignments/0b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
    );
    expect(assignment).toMatchObject({
      principalId,
      roleDefinitionId: NETWORK_CONTRIBUTOR,
      scope: subnetId,
      type: 'Microsoft.Authorization/roleAssignments',
    });
    // The same grant under another name, and a change of principal, are refused.
    expect(
      await errorCode(
        clients.authorization.roleAssignments.createById(
          `${subnetId}/providers/Microsoft.Authorization/roleAssignments/1b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
          {
            roleDefinitionId: NETWORK_CONTRIBUTOR,
            principalId,
          },
        ),
      ),
    ).toBe('RoleAssignmentExists');
    expect(
      await errorCode(
        clients.authorization.roleAssignments.createById(
          `${subnetId}/providers/Microsoft.Authorization/roleAssignments/0b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
          {
            roleDefinitionId: NETWORK_CONTRIBUTOR,
            principalId: '00000000-1111-2222-3333-444444444444',
          },
        ),
      ),
    ).toBe('RoleAssignmentUpdateNotPermitted');
    expect(
      await errorCode(
        clients.authorization.roleAssignments.createById(
          `${vnetId}/providers/Microsoft.Authorization/roleAssignments/2b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
          {
            roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-000000000001`,
            principalId,
          },
        ),
      ),
    ).toBe('RoleDefinitionDoesNotExist');
    // An assignment goes with its scope.
    await clients.authorization.roleAssignments.deleteById(
      `${subnetId}/providers/Microsoft.Authorization/roleAssignments/0b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
    );
    expect(kit.emulator.resources().filter((r) => JSON.stringify(r).includes('roleAssignments'))).toEqual([]);
  });

  it.each<[string, Partial<ManagedCluster>, Record<string, unknown>, string]>([
    [
      'a version the region does not offer',
      { kubernetesVersion: '1.29' },
      { orchestratorVersion: '1.29' },
      'AgentPoolK8sVersionNotSupported',
    ],
    [
      'a cluster version the region does not offer',
      { kubernetesVersion: '1.29' },
      { orchestratorVersion: '1.31' },
      'K8sVersionNotSupported',
    ],
    ['a pool three minors behind', {}, { orchestratorVersion: '1.30' }, 'AgentPoolK8sVersionNotSupported'],
    [
      'a pool newer than the control plane',
      { kubernetesVersion: '1.32' },
      { orchestratorVersion: '1.33' },
      'NodePoolMcVersionIncompatible',
    ],
    ['a System pool on a 1 GiB size', {}, { vmSize: 'Standard_B2ts_v2' }, 'SystemPoolSkuTooLow'],
    [
      'an ssh-ed25519 node key',
      {
        linuxProfile: {
          adminUsername: 'azureuser',
          ssh: { publicKeys: [{ keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa5 x' }] },
        },
      },
      {},
      'InvalidParameter',
    ],
    [
      'virtual nodes with authorized IP ranges',
      {
        addonProfiles: { aciConnectorLinux: { enabled: true, config: { SubnetName: 'aci' } } },
        apiServerAccessProfile: { authorizedIPRanges: ['203.0.113.0/24'] },
      },
      {},
      'InvalidParameter',
    ],
    [
      'virtual nodes on a subnet not delegated to ACI',
      { addonProfiles: { aciConnectorLinux: { enabled: true, config: { SubnetName: 'nodes' } } } },
      {},
      'InvalidParameter',
    ],
    [
      'long-term support below Premium',
      { supportPlan: 'AKSLongTermSupport', kubernetesVersion: '1.32' },
      { orchestratorVersion: '1.32' },
      'InvalidParameter',
    ],
  ])('refuses %s', async (_name, overrides, pool, code) => {
    await network();
    await identityWithRole();
    expect(await errorCode(putCluster(clusterBody(overrides, pool)))).toBe(code);
  });

  it('refuses a cluster whose identity may not join the nodes subnet, then creates it once the role exists', async () => {
    await network();
    await clients.msi.userAssignedIdentities.createOrUpdate(RG, 'cp', { location: LOCATION });
    expect(await errorCode(putCluster(clusterBody()))).toBe('LinkedAuthorizationFailed');
    await kit.clients.containerService.managedClusters
      .beginDeleteAndWait(RG, 'demo', kit.lro)
      .catch(() => undefined);
    const principal = (await clients.msi.userAssignedIdentities.get(RG, 'cp')).principalId ?? '';
    await clients.authorization.roleAssignments.createById(
      `${vnetId}/providers/Microsoft.Authorization/roleAssignments/3b6f4a55-3c1d-5b9e-8a2f-0d1e2f3a4b5c`,
      {
        roleDefinitionId: NETWORK_CONTRIBUTOR,
        principalId: principal,
      },
    );
    const created = await putCluster(
      clusterBody({
        linuxProfile: { adminUsername: 'azureuser', ssh: { publicKeys: [{ keyData: RSA }] } },
        addonProfiles: { aciConnectorLinux: { enabled: true, config: { SubnetName: 'aci' } } },
      }),
    );
    expect(created.provisioningState).toBe('Succeeded');
  });

  it('installs the Flux extension, then a Flux configuration, both removed with the cluster', async () => {
    await network();
    await identityWithRole();
    await putCluster(clusterBody());
    const config = clients.config;
    const flux = {
      sourceKind: 'GitRepository',
      namespace: 'flux-system',
      scope: 'cluster',
      gitRepository: {
        url: 'https://github.com/example/fleet',
        repositoryRef: { branch: 'main' },
        syncIntervalInSeconds: 300,
      },
      kustomizations: { cluster: { path: './clusters/prod', prune: true } },
    };
    expect(
      await errorCode(
        config.fluxConfigurations.beginCreateOrUpdateAndWait(
          RG,
          'Microsoft.ContainerService',
          'managedClusters',
          'demo',
          'fleet',
          flux,
          kit.lro,
        ),
      ),
    ).toBe('ExtensionNotFound');
    const extension = await config.extensions.beginCreateAndWait(
      RG,
      'Microsoft.ContainerService',
      'managedClusters',
      'demo',
      'flux',
      { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true },
      kit.lro,
    );
    expect(extension).toMatchObject({
      extensionType: 'microsoft.flux',
      provisioningState: 'Succeeded',
      type: 'Microsoft.KubernetesConfiguration/extensions',
    });
    const created = await config.fluxConfigurations.beginCreateOrUpdateAndWait(
      RG,
      'Microsoft.ContainerService',
      'managedClusters',
      'demo',
      'fleet',
      flux,
      kit.lro,
    );
    expect(created).toMatchObject({
      complianceState: 'Compliant',
      gitRepository: { url: 'https://github.com/example/fleet' },
    });
    await kit.clients.containerService.managedClusters.beginDeleteAndWait(RG, 'demo', kit.lro);
    expect(
      kit.emulator.resources().filter((r) => /KubernetesConfiguration/i.test(JSON.stringify(r))),
    ).toEqual([]);
  });

  it('assigns a built-in Kubernetes initiative at the resource group and checks its parameters', async () => {
    const scope = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`;
    const assignment = await clients.policy.policyAssignments.create(scope, 'demo-pod-security-baseline', {
      policyDefinitionId: BASELINE,
      parameters: { effect: { value: 'Deny' }, excludedNamespaces: { value: ['kube-system'] } },
    });
    expect(assignment).toMatchObject({
      policyDefinitionId: BASELINE,
      scope,
      parameters: { effect: { value: 'Deny' } },
    });
    expect(
      await errorCode(
        clients.policy.policyAssignments.create(scope, 'x', {
          policyDefinitionId: BASELINE,
          parameters: { effect: { value: 'Modify' } },
        }),
      ),
    ).toBe('InvalidPolicyParameters');
    expect(
      await errorCode(
        clients.policy.policyAssignments.create(scope, 'y', {
          policyDefinitionId:
            '/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000',
        }),
      ),
    ).toBe('PolicyDefinitionNotFound');
    await clients.policy.policyAssignments.delete(scope, 'demo-pod-security-baseline');
    expect(await errorCode(clients.policy.policyAssignments.get(scope, 'demo-pod-security-baseline'))).toBe(
      'ResourceNotFound',
    );
  });

  it('publishes node pool rolling and new-version events for its clusters', async () => {
    const received: { eventType: string; topic: string; data: Record<string, unknown> }[] = [];
    const subscriber = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof received));
        res.end();
      });
    });
    await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
    try {
      kit.emulator.addEventSubscriber(
        `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/events`,
      );
      await network();
      await identityWithRole();
      await putCluster(clusterBody({ kubernetesVersion: '1.32' }, { orchestratorVersion: '1.32' }));
      await kit.clients.containerService.agentPools.beginCreateOrUpdateAndWait(
        RG,
        'demo',
        'apps',
        {
          mode: 'User',
          count: 1,
          vmSize: 'Standard_D4s_v5',
          orchestratorVersion: '1.32',
          vnetSubnetID: subnetId,
        },
        kit.lro,
      );
      const deadline = Date.now() + 5_000;
      const aks = () => received.filter((e) => e.eventType.startsWith('Microsoft.ContainerService.'));
      while (aks().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const clusterId = id('Microsoft.ContainerService/managedClusters', 'demo');
      expect(aks().map((e) => [e.eventType, e.topic, e.data.nodePoolName])).toEqual(
        expect.arrayContaining([
          ['Microsoft.ContainerService.NewKubernetesVersionAvailable', clusterId, undefined],
          ['Microsoft.ContainerService.NodePoolRollingStarted', clusterId, 'apps'],
          ['Microsoft.ContainerService.NodePoolRollingSucceeded', clusterId, 'apps'],
        ]),
      );
    } finally {
      await new Promise<void>((resolve) => subscriber.close(() => resolve()));
    }
  });
});
