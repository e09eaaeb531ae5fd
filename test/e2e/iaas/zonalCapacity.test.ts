import { type Environment, exampleSpec, startEnvironment } from './iaasHarness';

interface VmResource {
  id: string;
  name: string;
  zones?: string[];
  tags?: Record<string, string>;
  properties?: { provisioningState?: string };
}

describe('IaaS provisioning when a zone cannot allocate a VM size', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });

  afterAll(async () => {
    await env?.close();
  });

  beforeEach(() => env.emulator.faults.clear());

  const vm = (name: string): VmResource | undefined =>
    (env.emulator.resources() as VmResource[]).find(
      (r) => /\/virtualMachines\//i.test(r.id) && r.name === name,
    );

  it('places the node in the pool zone with the fewest nodes, says why in the status, and a re-apply keeps it there', async () => {
    const name = 'zonal';
    const node = `${name}-general-0`;
    // The node's planned zone runs out of its size: its VM's operation fails as ARM reports it.
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${node}$`,
      lroFailure: {
        code: 'ZonalAllocationFailed',
        message:
          "Allocation failed. We do not have sufficient capacity for the requested VM size in this region's zone.",
      },
    });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });

    const placements = (final as { placements?: Record<string, unknown>[] }).placements ?? [];
    expect(placements).toHaveLength(1);
    const decision = placements[0] as {
      node: string;
      pool: string;
      fromZone: string;
      toZone: string;
      error: { code: string; message: string };
    };
    expect(decision).toMatchObject({ node, pool: 'general' });
    expect(decision.error.code).toBe('ZonalAllocationFailed');
    expect(decision.toZone).not.toBe(decision.fromZone);

    // The pool's other zones held as many nodes each, so the move keeps the pool as balanced as it can be.
    const zonesOf = (prefix: string): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of env.emulator.resources() as VmResource[]) {
        if (!/\/virtualMachines\//i.test(r.id) || !r.name.startsWith(prefix)) continue;
        const z = r.zones?.[0] ?? 'none';
        counts[z] = (counts[z] ?? 0) + 1;
      }
      return counts;
    };
    const general = zonesOf(`${name}-general-`);
    expect(Object.values(general).sort()).toEqual([1, 2, 3]);
    expect(general[decision.fromZone]).toBe(1);
    expect(general[decision.toZone]).toBe(3);

    const moved = vm(node);
    expect(moved?.zones).toEqual([decision.toZone]);
    expect(moved?.properties?.provisioningState).toBe('Succeeded');
    expect(moved?.tags?.['clusterProvisioner.placement']).toContain('ZonalAllocationFailed');

    // The same spec again: nothing moves back, nothing is written.
    const before = env.api.writes();
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const again = await env.api.waitForCluster(name);
    expect(again.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(env.api.writes() - before).toBe(0);
    expect(vm(node)?.zones).toEqual([decision.toZone]);

    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.runtimeStatus).toBe('Completed');
    expect(env.api.clusterResources(name)).toEqual([]);
  });

  it('fails the node with ARM’s error when no zone of its pool can allocate the size', async () => {
    const name = 'nozone';
    env.emulator.faults.add({
      method: 'PUT',
      path: `/virtualMachines/${name}-memory-0$`,
      count: 10,
      lroFailure: { code: 'SkuNotAvailable', message: 'The requested size is not available in this zone.' },
    });
    expect((await env.api.request('POST', 'clusters', exampleSpec(name))).status).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(final.error?.code).toBe('SkuNotAvailable');
    expect(final.error?.resource).toMatch(new RegExp(`/virtualMachines/${name}-memory-0$`));
  });
});
