/**
 * Worker pools built as one Flexible scale set per zone (issue 12, cluster/plan/scaleSets.ts), end to
 * end on the local host and the ARM emulator: every node a plain VM with its own NIC and no public IP,
 * the worker's custom data, members listed in the status, no write on a re-apply, growth into the
 * emptiest zones with a fresh join token, a lost member replaced, nothing left after delete.
 */
import { armSettingsFromEnv, createArmClients } from '../../../src/resources/clients';
import { deleteResource } from '../../../src/resources/reconcile';
import { resourceTypes } from '../../../src/resources/types/registry';
import {
  appSettings,
  type ArmResource,
  type Environment,
  exampleSpec,
  startEnvironment,
} from './iaasHarness';

const VMS = 'Microsoft.Compute/virtualMachines';
const SETS = 'Microsoft.Compute/virtualMachineScaleSets';
const NICS = 'Microsoft.Network/networkInterfaces';

interface FlexStatus {
  orchestration: string;
  desired: number;
  actual: number;
  ready: number;
  zones: Record<string, { scaleSet: string; capacity?: number; provisioningState?: string; nodes: number }>;
  nodes: { name: string; zone?: string; state: string; scaleSet: string }[];
}

type Res = ArmResource & { sku?: { capacity?: number; name?: string } };

describe('worker pools as Flexible scale sets per zone', () => {
  let env: Environment;
  const name = 'fleet';
  const pool = 'big';
  const spec = (
    count: number,
    orchestration: string | undefined = 'FlexibleScaleSet',
  ): Record<string, unknown> =>
    exampleSpec(name, {
      controlPlane: { count: 1, vmSize: 'Standard_D4s_v5', zones: ['1'] },
      nodePools: [
        {
          name: pool,
          count,
          vmSize: 'Standard_D4s_v5',
          zones: ['1', '2', '3'],
          ...(orchestration !== undefined ? { orchestration } : {}),
        },
        { name: 'small', count: 1, vmSize: 'Standard_D4s_v5', zones: ['1'] },
      ],
    });

  beforeAll(async () => {
    env = await startEnvironment(0.01);
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  const resources = (): Res[] => env.api.clusterResources(name);
  const sets = (): Res[] => resources().filter((r) => r.type === SETS);
  const members = (): Res[] =>
    resources().filter(
      (r) => r.type === VMS && (r.properties?.['virtualMachineScaleSet'] as { id?: string } | undefined)?.id,
    );
  const capacities = (): Record<string, number> =>
    Object.fromEntries(sets().map((s) => [s.name, s.sku?.capacity ?? -1]));
  const membersPerZone = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const m of members()) out[m.zones?.[0] ?? 'none'] = (out[m.zones?.[0] ?? 'none'] ?? 0) + 1;
    return out;
  };
  const flexStatus = async (): Promise<FlexStatus> =>
    ((await env.api.cluster(name)) as unknown as { scaleSetPools: Record<string, FlexStatus> }).scaleSetPools[
      pool
    ] as FlexStatus;
  async function apply(body: Record<string, unknown>): Promise<void> {
    const res = await env.api.request('POST', 'clusters', body);
    expect(res.status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
  }
  it('dry-run shows one Flexible set per zone with the split capacity', async () => {
    const res = await env.api.request('POST', 'clusters?dryRun=true', spec(6));
    expect(res.status).toBe(200);
    const plan = res.json as { resources: { type: string; name: string; role: string; body: Res }[] };
    const planned = plan.resources.filter((r) => r.type === SETS);
    expect(planned.map((r) => [r.name, r.role, r.body.sku?.capacity])).toEqual([
      [`${name}-${pool}-z1`, 'workerScaleSet', 2],
      [`${name}-${pool}-z2`, 'workerScaleSet', 2],
      [`${name}-${pool}-z3`, 'workerScaleSet', 2],
    ]);
    // The small pool stays single VMs, with the names it always had.
    expect(plan.resources.filter((r) => r.role === 'workerVm').map((r) => r.name)).toEqual([
      `${name}-small-0`,
    ]);
    expect(env.api.writes()).toBe(0);
  });

  it('creates 1 set per zone whose members are plain VMs with their own NIC, no public IP, the worker custom data', async () => {
    const dry = (await env.api.request('POST', 'clusters?dryRun=true', spec(6))).json as {
      resources: { type: string; name: string; body: Res }[];
    };
    await apply(spec(6));
    expect(capacities()).toEqual({
      [`${name}-${pool}-z1`]: 2,
      [`${name}-${pool}-z2`]: 2,
      [`${name}-${pool}-z3`]: 2,
    });
    for (const set of sets()) {
      expect(set.properties?.['orchestrationMode']).toBe('Flexible');
      expect(set.properties?.['platformFaultDomainCount']).toBe(1);
    }
    expect(membersPerZone()).toEqual({ '1': 2, '2': 2, '3': 2 });
    const nics = resources().filter((r) => r.type === NICS);
    const seenNics = new Set<string>();
    for (const vm of members()) {
      const refs = (vm.properties?.['networkProfile'] as { networkInterfaces: { id: string }[] })
        .networkInterfaces;
      expect(refs).toHaveLength(1);
      const nic = nics.find((n) => n.id.toLowerCase() === refs[0]?.id.toLowerCase());
      expect(nic).toBeDefined();
      seenNics.add(nic?.id.toLowerCase() ?? '');
      const ipConfigs = nic?.properties?.['ipConfigurations'] as { properties: Record<string, unknown> }[];
      for (const ip of ipConfigs) expect(ip.properties['publicIPAddress']).toBeUndefined();
      // The member was created with the set's (the pool's worker) custom data.
      const setName = (vm.properties?.['virtualMachineScaleSet'] as { id: string }).id.split('/').pop() ?? '';
      const planned = dry.resources.find((r) => r.name === setName);
      const encoded = (
        (planned?.body.properties?.['virtualMachineProfile'] as { osProfile: { customData: string } }) ?? {
          osProfile: { customData: '' },
        }
      ).osProfile.customData;
      const data = env.emulator.customData(vm.id) ?? '';
      expect(data).toBe(Buffer.from(encoded, 'base64').toString('utf8'));
      expect(data).toContain("ROLE='worker'");
    }
    expect(seenNics.size).toBe(6);

    const status = await flexStatus();
    expect(status).toMatchObject({ orchestration: 'FlexibleScaleSet', desired: 6, actual: 6, ready: 6 });
    expect(status.nodes.map((n) => n.name).sort()).toEqual(
      members()
        .map((m) => m.name)
        .sort(),
    );
    expect(Object.fromEntries(Object.entries(status.zones).map(([z, v]) => [z, v.capacity]))).toEqual({
      '1': 2,
      '2': 2,
      '3': 2,
    });
  }, 120_000);

  it('a re-POST of the same spec writes nothing', async () => {
    const before = env.api.writes();
    await apply(spec(6));
    await apply(spec(6, undefined));
    expect(env.api.writes() - before).toBe(0);
  }, 120_000);

  it('refuses to change an existing pool orchestration, naming the field, writing nothing', async () => {
    const before = env.api.writes();
    const res = await env.api.request('POST', 'clusters', spec(6, 'VirtualMachines'));
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.json)).toContain('nodePools[0].orchestration');
    expect(env.api.writes() - before).toBe(0);
  });

  it('the scale route says how a Flexible pool is scaled instead of changing it', async () => {
    const before = env.api.writes();
    const res = await env.api.request('POST', `clusters/${name}/nodepools/${pool}/scale`, { count: 7 });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error: { code: 'NodePoolScaleNotSupported' } });
    expect(JSON.stringify(res.json)).toContain('POST the spec again');
    expect(env.api.writes() - before).toBe(0);
  });

  it('grows into the emptiest zones, after a fresh join token', async () => {
    // A fresh join token is registered on the control plane (a run command) before new members exist.
    const runs = env.emulator.runCommandExecutions().length;
    const names = members().map((m) => m.name);
    await apply(spec(8));
    expect(capacities()).toEqual({
      [`${name}-${pool}-z1`]: 3,
      [`${name}-${pool}-z2`]: 3,
      [`${name}-${pool}-z3`]: 2,
    });
    expect(membersPerZone()).toEqual({ '1': 3, '2': 3, '3': 2 });
    // Every earlier member is untouched.
    expect(members().map((m) => m.name)).toEqual(expect.arrayContaining(names));
    expect(env.emulator.runCommandExecutions().length - runs).toBe(1);
  }, 120_000);

  it('shrinks by deleting chosen member VMs (newest first) from the fullest zones, never a capacity PUT', async () => {
    const before = members().map((m) => m.name);
    const since = Math.max(0, ...env.emulator.operations().map((o) => o.seq));
    await apply(spec(6));
    const after = members().map((m) => m.name);
    expect(capacities()).toEqual({
      [`${name}-${pool}-z1`]: 2,
      [`${name}-${pool}-z2`]: 2,
      [`${name}-${pool}-z3`]: 2,
    });
    expect(membersPerZone()).toEqual({ '1': 2, '2': 2, '3': 2 });
    // Exactly two members went; every other one is untouched.
    expect(before.filter((n) => !after.includes(n))).toHaveLength(2);
    expect(after.every((n) => before.includes(n))).toBe(true);
    // No PUT of a scale set: the members were deleted by name.
    const writes = env.emulator.operations().filter((o) => o.seq > since && o.write);
    expect(writes.filter((o) => o.method === 'PUT' && /virtualMachineScaleSets/i.test(o.path))).toEqual([]);
    expect(
      writes.filter((o) => o.method === 'POST' && /virtualMachineScaleSets\/[^/]+\/delete/i.test(o.path)),
    ).toHaveLength(2);
    await apply(spec(8));
  }, 120_000);

  it('a member lost behind our back is replaced in its zone by the next apply', async () => {
    const settings = armSettingsFromEnv(appSettings(env.emulator, `${env.tempDir}/arm-ca.pem`));
    const victim = members().find((m) => m.zones?.[0] === '3');
    expect(victim).toBeDefined();
    await deleteResource(resourceTypes, createArmClients(settings), { id: victim?.id ?? '', type: VMS });
    expect(membersPerZone()).toEqual({ '1': 3, '2': 3, '3': 1 });
    await apply(spec(8));
    expect(membersPerZone()).toEqual({ '1': 3, '2': 3, '3': 2 });
    expect(members().map((m) => m.name)).not.toContain(victim?.name);
  }, 120_000);

  it('delete leaves nothing', async () => {
    const res = await env.api.request('DELETE', `clusters/${name}`);
    expect(res.status).toBe(202);
    const { final } = await env.api.waitForCluster(name, 90_000);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Deleted' });
    expect(resources().map((r) => r.id)).toEqual([]);
    expect((env.emulator.resources() as ArmResource[]).filter((r) => r.type === NICS)).toEqual([]);
  }, 120_000);
});
