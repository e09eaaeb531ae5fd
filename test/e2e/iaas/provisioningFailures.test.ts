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

  interface CheckStatus {
    statusQueryGetUri: string;
    terminatePostUri: string;
  }
  /** The Durable HTTP API URL of another instance of the same hub (a zone sub-orchestration). */
  const forInstance = (uri: string, name: string, instanceId: string): string =>
    uri.replace(`/instances/cluster-${name}`, `/instances/${encodeURIComponent(instanceId)}`);
  const runtimeStatusOf = async (uri: string): Promise<string | undefined> => {
    const res = await fetch(uri);
    if (res.status === 404) {
      await res.text();
      return undefined;
    }
    return ((await res.json()) as { runtimeStatus: string }).runtimeStatus;
  };
  const waitForStatus = async (uri: string, wanted: string[]): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await runtimeStatusOf(uri);
      if (status !== undefined && wanted.includes(status)) return;
      if (Date.now() > deadline) throw new Error(`${uri} still ${status}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  };
  const terminate = async (uri: string): Promise<void> => {
    const res = await fetch(uri.replace('{text}', 'e2e'), { method: 'POST' });
    await res.text();
    expect(res.status).toBe(202);
  };

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

    // Nodes join a control plane that already runs with a fresh token (one run command, PUT then
    // DELETE); when the failure came before any control-plane VM existed, the resume is a first create.
    const controlPlaneRan = env.api
      .clusterResources(name)
      .some((r) => /\/virtualMachines\/quota-cp-\d+$/i.test(r.id));
    const writesBefore = env.api.writes();
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const resumed = await env.api.waitForCluster(name);
    expect(resumed.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(resumed.final.error).toBeUndefined();
    const total = env.api.clusterResources(name).length;
    // Only what was missing was written, and the run command that registered the fresh join token.
    const since = env.emulator
      .operations()
      .filter((o) => o.write)
      .slice(writesBefore);
    const runCommands = since.filter((o) => /\/runCommands\//i.test(o.path));
    expect(runCommands.map((o) => o.method)).toEqual(controlPlaneRan ? ['PUT', 'DELETE'] : []);
    expect(since.length - runCommands.length).toBe(total - kept);
  });

  it('rolls back everything it created when onFailure is rollback', async () => {
    const name = 'rollback';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-cp-1$`,
      // In every zone of the pool: a node whose zone alone cannot allocate moves (zonalCapacity.test.ts).
      count: 3,
      lroFailure: { code: 'SkuNotAvailable', message: 'The requested size is not available in this zone.' },
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
      count: 3,
      lroFailure: { code: 'ZonalAllocationFailed', message: 'Allocation failed in this zone.' },
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
        count: 3,
        lroFailure: { code: 'SkuNotAvailable', message: 'The requested size is not available in this zone.' },
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

  it('fails the cluster cleanly when its apply fails outright (terminated): never stuck in Provisioning', async () => {
    const name = 'zonefail';
    // Hold back one VM so the apply sub-orchestration is still running when it is terminated.
    env.emulator.faults.add({ method: 'PUT', path: `/virtualMachines/${name}-general-5$`, delayMs: 1500 });
    const started = await env.api.request('POST', 'clusters', exampleSpec(name));
    expect(started.status).toBe(202);
    const uris = started.json as CheckStatus;
    const apply = `cluster-${name}:apply`;
    await waitForStatus(forInstance(uris.statusQueryGetUri, name, apply), ['Running']);
    await terminate(forInstance(uris.terminatePostUri, name, apply));

    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(final.error).toMatchObject({ code: 'ActivityFailed' });
    expect(final.error?.message).toMatch(/terminated/);
    expect(env.events).toContainEqual(
      expect.objectContaining({
        eventType: 'ClusterProvisioner.Cluster.ProvisioningFailed',
        subject: `clusters/${name}`,
      }),
    );
    // Let the held-back VM finish before the next test.
    const deadline = Date.now() + 10_000;
    while (!env.api.clusterResources(name).some((r) => r.name === `${name}-general-5`)) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('answers 409 while the apply of the cluster still runs, even after its parent stopped', async () => {
    const name = 'orphan';
    env.emulator.faults.add({ method: 'PUT', path: `/virtualMachines/${name}-general-5$`, delayMs: 1500 });
    const spec = exampleSpec(name);
    const started = await env.api.request('POST', 'clusters', spec);
    expect(started.status).toBe(202);
    const uris = started.json as CheckStatus;
    const apply = forInstance(uris.statusQueryGetUri, name, `cluster-${name}:apply`);
    await waitForStatus(apply, ['Running']);
    await terminate(uris.terminatePostUri);
    expect((await env.api.waitForCluster(name)).final.runtimeStatus).toBe('Terminated');
    expect(await runtimeStatusOf(apply)).toBe('Running');

    const post = await env.api.request('POST', 'clusters', spec);
    expect(post.status).toBe(409);
    expect(JSON.stringify(post.json)).toMatch(/OperationInProgress.*apply/);
    const del = await env.api.request('DELETE', `clusters/${name}`);
    expect(del.status).toBe(409);

    await waitForStatus(apply, ['Completed', 'Failed', 'Terminated']);
    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.phase).toBe('Deleted');
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
