import type { ManagedCluster } from '@azure/arm-containerservice';

import { errorCode, id, type Kit, LOCATION, RG, startKit } from './armTestKit';

describe('ARM emulator: AKS through ContainerServiceClient', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await startKit({ vcpuQuotaPerRegion: 100 });
  });
  afterEach(async () => {
    await kit.close();
  });

  const cluster = (
    pools: { name: string; count: number; mode?: string; autoscale?: boolean }[],
  ): ManagedCluster => ({
    location: LOCATION,
    dnsPrefix: 'demo',
    kubernetesVersion: '1.33.2',
    identity: { type: 'SystemAssigned' },
    agentPoolProfiles: pools.map((p) => ({
      name: p.name,
      count: p.count,
      vmSize: 'Standard_D4s_v5',
      mode: p.mode ?? 'User',
      availabilityZones: ['1', '2', '3'],
      ...(p.autoscale === false
        ? { enableAutoScaling: false }
        : { enableAutoScaling: true, minCount: 0, maxCount: 10 }),
    })),
  });

  it('creates a cluster, scales, adds and deletes pools, keeping the cluster view and the pools consistent', async () => {
    const aks = kit.clients.containerService;
    const created = await aks.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      'demo',
      cluster([
        { name: 'system', count: 3, mode: 'System' },
        { name: 'workers', count: 2 },
      ]),
      kit.lro,
    );
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.fqdn).toMatch(/^demo-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$/);
    expect(created.agentPoolProfiles?.map((p) => [p.name, p.count, p.provisioningState])).toEqual([
      ['system', 3, 'Succeeded'],
      ['workers', 2, 'Succeeded'],
    ]);
    const put = kit.emulator.operations().find((o) => o.method === 'PUT');
    expect(put?.status).toBe(201);

    const pool = await aks.agentPools.get(RG, 'demo', 'workers');
    expect(pool.count).toBe(2);
    expect(pool.id).toBe(id('Microsoft.ContainerService/managedClusters/agentPools', 'demo', 'workers'));

    // The cluster autoscaler owns an autoscaled pool's count: a manual count is refused, as AKS does.
    await expect(
      aks.agentPools.beginCreateOrUpdateAndWait(RG, 'demo', 'workers', { ...pool, count: 5 }, kit.lro),
    ).rejects.toThrow("Cannot manually scale AgentPool 'workers' with cluster autoscaler enabled");
    const scaled = await aks.agentPools.beginCreateOrUpdateAndWait(
      RG,
      'demo',
      'workers',
      { ...pool, enableAutoScaling: false, minCount: undefined, maxCount: undefined, count: 5 },
      kit.lro,
    );
    expect(scaled.count).toBe(5);
    expect(
      (await aks.managedClusters.get(RG, 'demo')).agentPoolProfiles?.find((p) => p.name === 'workers')?.count,
    ).toBe(5);

    // Scaling through the cluster body shows up in the pool resource.
    await aks.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      'demo',
      cluster([
        { name: 'system', count: 3, mode: 'System' },
        { name: 'workers', count: 4, autoscale: false },
      ]),
      kit.lro,
    );
    expect((await aks.agentPools.get(RG, 'demo', 'workers')).count).toBe(4);
    // New pools go through the agent pool API once the cluster exists.
    await expect(
      aks.managedClusters.beginCreateOrUpdateAndWait(
        RG,
        'demo',
        cluster([
          { name: 'system', count: 3, mode: 'System' },
          { name: 'workers', count: 4, autoscale: false },
          { name: 'late', count: 1 },
        ]),
        kit.lro,
      ),
    ).rejects.toThrow('A new agent pool was introduced');

    await aks.agentPools.beginCreateOrUpdateAndWait(
      RG,
      'demo',
      'spot',
      { count: 1, vmSize: 'Standard_D2s_v5', mode: 'User', availabilityZones: ['1'] },
      kit.lro,
    );
    const pools = [];
    for await (const p of aks.agentPools.list(RG, 'demo')) pools.push(p.name);
    expect(pools).toEqual(['system', 'workers', 'spot']);
    await aks.agentPools.beginDeleteAndWait(RG, 'demo', 'spot', kit.lro);
    expect((await aks.managedClusters.get(RG, 'demo')).agentPoolProfiles?.map((p) => p.name)).toEqual([
      'system',
      'workers',
    ]);
    expect(await errorCode(aks.agentPools.get(RG, 'demo', 'spot'))).toBe('ResourceNotFound');

    const clusters = [];
    for await (const c of aks.managedClusters.listByResourceGroup(RG)) clusters.push(c.name);
    for await (const c of aks.managedClusters.list()) clusters.push(c.name);
    expect(clusters).toEqual(['demo', 'demo']);

    await aks.managedClusters.beginDeleteAndWait(RG, 'demo', kit.lro);
    expect(await errorCode(aks.managedClusters.get(RG, 'demo'))).toBe('ResourceNotFound');
    expect(kit.emulator.resources().filter((r) => JSON.stringify(r).includes('agentPools'))).toHaveLength(0);
  });

  it('validates pools: counts, autoscaler bounds, zones, quota', async () => {
    const aks = kit.clients.containerService;
    const put = (c: ManagedCluster) => aks.managedClusters.beginCreateOrUpdateAndWait(RG, 'demo', c, kit.lro);
    expect(await errorCode(put(cluster([{ name: 'system', count: 0, mode: 'System' }])))).toBe(
      'InvalidParameter',
    );
    expect(await errorCode(put(cluster([{ name: 'users', count: 1, mode: 'User' }])))).toBe(
      'MustDefineAtLeastOneSystemPool',
    );
    expect(await errorCode(put(cluster([{ name: 'System_1', count: 1, mode: 'System' }])))).toBe(
      'InvalidParameter',
    );
    expect(await errorCode(put(cluster([{ name: 'system', count: 11, mode: 'System' }])))).toBe(
      'InvalidParameter',
    );
    expect(
      await errorCode(
        put({ ...cluster([{ name: 'system', count: 1, mode: 'System' }]), location: 'westus' }),
      ),
    ).toBe('AvailabilityZoneNotSupported');
    // 26 × 4 vCPUs > 100.
    const big = cluster([{ name: 'system', count: 10, mode: 'System' }]);
    big.agentPoolProfiles![0]!.maxCount = 100;
    big.agentPoolProfiles![0]!.count = 26;
    expect(await errorCode(put(big))).toBe('QuotaExceeded');
    await put(cluster([{ name: 'system', count: 3, mode: 'System' }]));
    expect(
      await errorCode(
        aks.agentPools.beginCreateOrUpdateAndWait(
          RG,
          'demo',
          'more',
          { count: 30, vmSize: 'Standard_D4s_v5', mode: 'User' },
          kit.lro,
        ),
      ),
    ).toBe('QuotaExceeded');
  });
});
