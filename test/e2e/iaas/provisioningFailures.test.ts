import { type ClusterView, type Environment, exampleSpec, startEnvironment } from './iaasHarness';

describe('IaaS provisioning under ARM faults', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });

  afterAll(async () => {
    await env?.close();
  });

  beforeEach(() => env.emulator.faults.clear());

  const faultedCount = (): number => env.emulator.operations().filter((o) => o.faultId !== undefined).length;

  it('recovers from throttling, transient 5xx and AnotherOperationInProgress', async () => {
    const name = 'flaky';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/networkSecurityGroups/${name}-`,
      count: 2,
      status: 429,
      code: 'TooManyRequests',
      headers: { 'retry-after-ms': '30' },
    });
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualNetworks/${name}-vnet/subnets/`,
      count: 2,
      status: 409,
      code: 'AnotherOperationInProgress',
      message: 'Another operation on this or dependent resource is in progress.',
    });
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-`,
      count: 3,
      status: 500,
      code: 'InternalServerError',
    });
    env.emulator.faults.add({
      method: 'PUT',
      path: `/networkInterfaces/${name}-`,
      count: 1,
      status: 503,
      code: 'ServiceUnavailable',
      headers: { 'Retry-After': '0' },
    });
    const before = faultedCount();
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(faultedCount() - before).toBe(8);
    expect(final.error).toBeUndefined();
  });

  it('shows nodes becoming ready one by one while a zone is still provisioning', async () => {
    const name = 'live';
    // Hold back one worker VM in zone 3, so the zone's other nodes are ready well before it.
    env.emulator.faults.add({ method: 'PUT', path: `/virtualMachines/${name}-general-5$`, delayMs: 1500 });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    let partial: ClusterView | undefined;
    for (;;) {
      const view = await env.api.cluster(name);
      if (view.runtimeStatus !== 'Running' && view.runtimeStatus !== 'Pending') break;
      const z3 = view.zones?.['3'];
      if (z3 && z3.nodesReady === z3.nodesTotal - 1) partial = view;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(partial?.zones?.['3']).toEqual({ nodesReady: 2, nodesTotal: 3 });
    expect(partial?.phase).toBe('Provisioning');
    const { final } = await env.api.waitForCluster(name);
    expect(final.zones?.['3']).toEqual({ nodesReady: 3, nodesTotal: 3 });
  });

  it('fails clearly on QuotaExceeded (status names resource and code), keeps what exists, and a re-POST resumes', async () => {
    const name = 'quota';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-general-4$`,
      status: 409,
      code: 'QuotaExceeded',
      message:
        'Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.',
    });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(final.error).toMatchObject({ code: 'QuotaExceeded' });
    expect(final.error?.resource).toMatch(/\/virtualMachines\/quota-general-4$/);
    expect(final.error?.message).toMatch(/exceeding approved standardDSv5Family Cores quota/);
    const kept = env.api.clusterResources(name).length;
    expect(kept).toBeGreaterThan(10);

    const writesBefore = env.api.writes();
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const resumed = await env.api.waitForCluster(name);
    expect(resumed.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(resumed.final.error).toBeUndefined();
    const total = env.api.clusterResources(name).length;
    // Only what was missing was written.
    expect(env.api.writes() - writesBefore).toBe(total - kept);
  });

  it('rolls back everything it created when onFailure is rollback', async () => {
    const name = 'rollback';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-cp-1$`,
      lroFailure: { code: 'SkuNotAvailable', message: 'The requested size is not available in zone 2.' },
    });
    expect(
      (await env.api.request('POST', 'clusters', exampleSpec(name, { onFailure: 'rollback' }))).status,
    ).toBe(202);
    const { final, phases } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed', rolledBack: true });
    expect(phases).toContain('RollingBack');
    expect(final.error).toMatchObject({ code: 'SkuNotAvailable' });
    expect(env.api.clusterResources(name)).toEqual([]);
    expect(env.events).toContainEqual(
      expect.objectContaining({
        eventType: 'ClusterProvisioner.Cluster.ProvisioningFailed',
        subject: `clusters/${name}`,
        data: expect.objectContaining({ error: final.error }) as unknown,
      }),
    );
  });

  it('rolls back only what a failed change added: the working cluster stays', async () => {
    const name = 'grow';
    const spec = exampleSpec(name, { onFailure: 'rollback' });
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.runtimeStatus).toBe('Completed');
    const before = env.api
      .clusterResources(name)
      .map((r) => r.id.toLowerCase())
      .sort();

    // Grow the general pool from 6 to 9; one of the new VMs cannot be placed.
    const pools = spec['nodePools'] as Record<string, unknown>[];
    const bigger = { ...spec, nodePools: [{ ...pools[0], count: 9 }, ...pools.slice(1)] };
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-general-7$`,
      lroFailure: { code: 'ZonalAllocationFailed', message: 'Allocation failed in zone 2.' },
    });
    expect((await env.api.request('POST', 'clusters', bigger)).status).toBe(202);
    const { final, phases } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', rolledBack: true });
    expect(final.error).toMatchObject({ code: 'ZonalAllocationFailed' });
    expect(phases).toContain('RollingBack');
    expect(
      env.api
        .clusterResources(name)
        .map((r) => r.id.toLowerCase())
        .sort(),
    ).toEqual(before);
  });

  it('rolls back again when a re-POST after a rolled-back failure fails too: nothing of the cluster is left', async () => {
    const name = 'refail';
    const spec = exampleSpec(name, { onFailure: 'rollback' });
    const skuFault = (): string =>
      env.emulator.faults.add({
        method: 'PUT',
        path: `/virtualMachines/${name}-cp-1$`,
        lroFailure: { code: 'SkuNotAvailable', message: 'The requested size is not available in zone 2.' },
      });
    skuFault();
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const first = await env.api.waitForCluster(name);
    expect(first.final).toMatchObject({ runtimeStatus: 'Failed', rolledBack: true });
    expect(env.api.clusterResources(name)).toEqual([]);

    skuFault();
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const { final, phases } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed', rolledBack: true });
    expect(final.error).toMatchObject({ code: 'SkuNotAvailable' });
    expect(phases).toContain('RollingBack');
    expect(env.api.clusterResources(name)).toEqual([]);
  });

  it('fails clearly, without writing anything, when the resource group does not exist', async () => {
    const name = 'norg';
    const writesBefore = env.api.writes();
    expect(
      (await env.api.request('POST', 'clusters', exampleSpec(name, { resourceGroup: 'rg-missing' }))).status,
    ).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(final.error).toMatchObject({ code: 'ResourceGroupNotFound' });
    expect(final.error?.message).toMatch(/resource group "rg-missing" does not exist/);
    expect(env.api.writes() - writesBefore).toBe(0);
  });
});
