/**
 * AKS end to end: HTTP → orchestration → ARM emulator (AKS's own rules) → status → delete, for a
 * cluster with three pools (one autoscaled, zones 1-3), KEDA, virtual nodes, Entra ID, policy and
 * GitOps.
 */
import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import type { ArmResource, Environment } from '../iaas/iaasHarness';
import { startEnvironment } from '../iaas/iaasHarness';

const ADMIN_GROUP = '6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d';
const RSA_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCU83s6K8STKz7KW0nPJGAwkAUZseBbTmGaVXKFm1AHRG1bQpuAMirUuZ/aqbWuewulo5OMFdgrUJtAkvlje55Nyrh6OsEjKOmHjxmDN/aFUaso3+8TvB65zdAbbkN8Dq9kvDQy8rIUwLAyJHChkOf5qlPKFUbvaL8P5bl5/xbdnJMIQaiWmxkqc0PJcgwKrPSJmM/O157ZYXUJ4HH+AnizwHnjwe4hMJakTBM51vV5oLCx1f/0JeSKee9XBies+ajlAZBJeKv534Ao/6EsX54hPXD/r3BAi0EU+c5o+nQXs03kAjLUQpB8HKHRuXfL7w/hNZnnCKP06/jTmTCCICyZEZyVEk1u9/o5/49e857o3HZNkKvPV4TqYRe0txssdX9QA3kKd2wrSVxN6uiO3t32kEiQr1JT75EJb0rkh00EJoNjQirinVEIyB0vRJpfbEI0gaQj3iPAcAxjVC+zOWgePsZwUxFDDPNLBH6lLQ053YTLdwjg/fq6JHUOM9r1ohE= rsa@example';

function aksSpec(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'aks',
    name,
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.33',
    autoscaler: { scanInterval: '20s', expander: 'least-waste' },
    nodePools: [
      { name: 'system', count: 3, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      { name: 'apps', count: 2, minCount: 1, maxCount: 6, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      { name: 'batch', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
    ],
    aad: { adminGroupObjectIDs: [ADMIN_GROUP] },
    keda: { enabled: true },
    virtualNodes: { enabled: true },
    azurePolicy: { initiative: 'podSecurityBaseline', effect: 'Deny' },
    gitOps: {
      url: 'https://github.com/example/fleet',
      branch: 'main',
      path: './clusters/prod',
      interval: '5m',
    },
    ssh: { publicKey: RSA_KEY },
    ...overrides,
  };
}

const lower = (s: string): string => s.toLowerCase();
const props = (r: ArmResource | undefined): Record<string, unknown> => r?.properties ?? {};

interface AksView {
  runtimeStatus: string;
  phase?: string;
  resources?: { done: number; total: number };
  fqdn?: string;
  pools?: Record<
    string,
    {
      count: number;
      nodesPerZone: Record<string, number>;
      autoscaler?: { minCount: number; maxCount: number };
    }
  >;
  error?: { resource: string; code: string; message: string };
}

describe('AKS cluster end to end', () => {
  let env: Environment;
  const rg = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers`;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });
  afterAll(async () => {
    await env?.close();
  });

  const resource = (id: string): ArmResource | undefined =>
    (env.emulator.resources() as ArmResource[]).find((r) => lower(r.id) === lower(id));
  const writesSince = (seq: number) =>
    env.emulator.operations().filter((o) => o.seq > seq && o.write && o.status < 300 && o.method !== 'GET');
  const lastSeq = (): number => env.emulator.operations().at(-1)?.seq ?? 0;
  async function provision(spec: Record<string, unknown>): Promise<AksView> {
    const res = await env.api.request('POST', 'clusters', spec);
    expect(res).toMatchObject({ status: 202 });
    const { final } = await env.api.waitForCluster(String(spec.name), 120_000);
    return final;
  }

  it('creates the cluster with every option, then re-POST writes nothing, a count change writes only that pool, a new pool only itself, and delete leaves nothing of ours', async () => {
    const view = await provision(aksSpec('aks1'));
    expect(view.error).toBeUndefined();
    expect(view).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(view.resources?.done).toBe(view.resources?.total);

    const clusterId = `${rg}/Microsoft.ContainerService/managedClusters/aks1`;
    const cluster = props(resource(clusterId));
    expect(cluster).toMatchObject({
      kubernetesVersion: '1.33',
      supportPlan: 'KubernetesOfficial',
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
      workloadAutoScalerProfile: { keda: { enabled: true } },
      autoScalerProfile: { 'scan-interval': '20s', expander: 'least-waste' },
      aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [ADMIN_GROUP] },
      disableLocalAccounts: true,
      addonProfiles: {
        aciConnectorLinux: { enabled: true, config: { SubnetName: 'virtual-nodes' } },
        azurepolicy: { enabled: true },
      },
    });
    const identityId = `${rg}/Microsoft.ManagedIdentity/userAssignedIdentities/aks1-control-plane`;
    const clusterIdentity = (
      resource(clusterId) as { identity?: { type?: string; userAssignedIdentities?: object } }
    ).identity;
    expect(clusterIdentity?.type).toBe('UserAssigned');
    expect(Object.keys(clusterIdentity?.userAssignedIdentities ?? {}).map(lower)).toEqual([
      lower(identityId),
    ]);
    const pools = ['system', 'apps', 'batch'].map((p) => props(resource(`${clusterId}/agentPools/${p}`)));
    expect(
      pools.map((p) => [p.count, p.availabilityZones, p.enableAutoScaling, p.minCount, p.maxCount]),
    ).toEqual([
      [3, ['1', '2', '3'], false, undefined, undefined],
      [2, ['1', '2', '3'], true, 1, 6],
      [1, ['1', '2', '3'], false, undefined, undefined],
    ]);
    const principalId = props(resource(identityId)).principalId;
    expect(principalId).toEqual(expect.any(String));
    const assignments = (env.emulator.resources() as ArmResource[]).filter((r) =>
      /roleAssignments/i.test(r.id),
    );
    expect(assignments.map((a) => props(a).principalId)).toEqual([principalId, principalId]);
    const aci = props(resource(`${rg}/Microsoft.Network/virtualNetworks/aks1-vnet/subnets/virtual-nodes`));
    expect(aci.delegations).toEqual([
      expect.objectContaining({
        properties: expect.objectContaining({
          serviceName: 'Microsoft.ContainerInstance/containerGroups',
        }) as unknown,
      }),
    ]);
    expect(
      props(resource(`${rg}/Microsoft.Authorization/policyAssignments/aks1-pod-security-baseline`))
        .parameters,
    ).toMatchObject({
      effect: { value: 'Deny' },
    });
    expect(
      props(resource(`${clusterId}/providers/Microsoft.KubernetesConfiguration/extensions/flux`)),
    ).toMatchObject({ extensionType: 'microsoft.flux' });
    expect(
      props(
        resource(
          `${clusterId}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
        ),
      ),
    ).toMatchObject({
      gitRepository: {
        url: 'https://github.com/example/fleet',
        repositoryRef: { branch: 'main' },
        syncIntervalInSeconds: 300,
      },
    });

    // Status: FQDN, each pool's nodes per zone and autoscaler bounds.
    expect(view.fqdn).toMatch(/\.azmk8s\.io$/);
    expect(view.pools).toMatchObject({
      system: { count: 3, nodesPerZone: { '1': 1, '2': 1, '3': 1 } },
      apps: { count: 2, nodesPerZone: { '1': 1, '2': 1, '3': 0 }, autoscaler: { minCount: 1, maxCount: 6 } },
      batch: { count: 1, nodesPerZone: { '1': 1, '2': 0, '3': 0 } },
    });

    // Re-POST of the same spec: zero writes. The autoscaled pool's count in the spec is not sent.
    let mark = lastSeq();
    await provision(aksSpec('aks1'));
    expect(writesSince(mark)).toEqual([]);
    mark = lastSeq();
    const appsMoved = aksSpec('aks1');
    (appsMoved.nodePools as Record<string, unknown>[])[1]!.count = 5;
    await provision(appsMoved);
    expect(writesSince(mark)).toEqual([]);

    // A count change writes only that agent pool.
    mark = lastSeq();
    const bigger = aksSpec('aks1');
    (bigger.nodePools as Record<string, unknown>[])[2]!.count = 2;
    expect(await provision(bigger)).toMatchObject({ phase: 'Provisioned' });
    expect(writesSince(mark).map((o) => `${o.method} ${o.path}`)).toEqual([
      `PUT ${clusterId}/agentPools/batch`,
    ]);

    // A new pool writes only the new pool.
    mark = lastSeq();
    const more = structuredClone(bigger);
    (more.nodePools as Record<string, unknown>[]).push({
      name: 'extra',
      count: 1,
      vmSize: 'Standard_D2s_v5',
      zones: [1],
    });
    await provision(more);
    expect(writesSince(mark).map((o) => `${o.method} ${o.path}`)).toEqual([
      `PUT ${clusterId}/agentPools/extra`,
    ]);

    // Delete: nothing of ours is left.
    expect((await env.api.request('DELETE', 'clusters/aks1')).status).toBe(202);
    const { final } = await env.api.waitForCluster('aks1', 120_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Deleted' });
    const left = (env.emulator.resources() as ArmResource[]).filter((r) => /aks1/i.test(r.id));
    expect(left).toEqual([]);
  });
});
