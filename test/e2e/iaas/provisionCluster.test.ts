import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import { planCluster } from '../../../src/cluster/plan';
import type { Plan } from '../../../src/cluster/plan/types';
import { parseClusterSpec } from '../../../src/cluster/validate';
import {
  type ArmResource,
  type ClusterView,
  type Environment,
  exampleSpec,
  ROOT,
  startEnvironment,
} from './iaasHarness';

function planOf(spec: Record<string, unknown>): Plan {
  const parsed = parseClusterSpec(spec);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return planCluster(parsed.spec, { subscriptionId: DEFAULT_SUBSCRIPTION_ID });
}

const lower = (s: string): string => s.toLowerCase();
const props = (r: ArmResource | undefined): Record<string, unknown> => r?.properties ?? {};

describe('IaaS cluster end to end: HTTP → orchestration → ARM emulator → status', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.01);
  });

  afterAll(async () => {
    await env?.close();
  });

  it('returns the plan on dryRun and every validation error on a bad spec, without calling ARM', async () => {
    const before = env.emulator.operations().length;
    const dry = await env.api.request('POST', 'clusters?dryRun=true', exampleSpec('dry'));
    expect(dry.status).toBe(200);
    const plan = dry.json as Plan;
    expect(plan.resources.map((r) => r.id)).toEqual(planOf(exampleSpec('dry')).resources.map((r) => r.id));

    const bad = await env.api.request('POST', 'clusters', {
      ...exampleSpec('Bad_Name!'),
      controlPlane: { count: 2 },
      nodePools: [{ name: 'p', count: -1, vmSize: 'big' }],
    });
    expect(bad.status).toBe(400);
    const errors = (bad.json as { errors: { path: string; message: string }[] }).errors;
    expect(errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['name', 'controlPlane.count', 'nodePools[0].count', 'nodePools[0].vmSize']),
    );
    const yamlText = fs.readFileSync(path.join(ROOT, 'examples/iaas-cluster.yaml'), 'utf8');
    const fromYaml = await env.api.request('POST', 'clusters?dryRun=true', yamlText, 'application/yaml');
    expect(fromYaml.status).toBe(200);
    expect((fromYaml.json as Plan).cluster.name).toBe('demo');
    const aksYaml = fs.readFileSync(path.join(ROOT, 'examples/aks-cluster.yaml'), 'utf8');
    expect((await env.api.request('POST', 'clusters?dryRun=true', aksYaml, 'application/yaml')).status).toBe(
      200,
    );
    const yaml = await env.api.request('POST', 'clusters', 'type: iaas\nname: [', 'application/yaml');
    expect(yaml.status).toBe(400);
    expect(env.emulator.operations().length).toBe(before);
    expect((await env.api.request('GET', 'clusters/nope')).status).toBe(404);
    expect((await env.api.request('DELETE', 'clusters/nope')).status).toBe(404);
  });

  it('requires the function key on every route', async () => {
    const res = await fetch(`${env.host.url}/api/clusters`);
    expect(res.status).toBe(401);
  });

  it('provisions exactly the plan, shows progress, makes no write on re-POST, and deletes what it created', async () => {
    const spec = exampleSpec('demo');
    const plan = planOf(spec);
    const writesBefore = env.api.writes();

    const started = await env.api.request('POST', 'clusters', spec);
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toMatch(
      /\/runtime\/webhooks\/durabletask\/instances\/cluster-demo/,
    );
    expect((started.json as { id: string }).id).toBe('cluster-demo');
    const conflict = await env.api.request('POST', 'clusters', spec);
    expect(conflict.status).toBe(409);
    expect((await env.api.request('DELETE', 'clusters/demo')).status).toBe(409);

    const { final, phases } = await env.api.waitForCluster('demo');
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned', operation: 'provision' });
    expect(phases).toContain('Provisioning');
    expect(final.resources).toEqual({ done: plan.resources.length, total: plan.resources.length });
    expect(final.zones).toEqual({
      '1': { nodesReady: 4, nodesTotal: 4 },
      '2': { nodesReady: 4, nodesTotal: 4 },
      '3': { nodesReady: 3, nodesTotal: 3 },
    });
    expect(final.apiServer?.endpoint).toBe(`https://${final.apiServer?.ip}:6443`);
    expect(env.api.writes() - writesBefore).toBe(plan.resources.length);
    expect(env.events).toContainEqual(
      expect.objectContaining({
        eventType: 'ClusterProvisioner.Cluster.Provisioned',
        subject: 'clusters/demo',
        data: expect.objectContaining({ apiServerEndpoint: final.apiServer?.endpoint }) as unknown,
      }),
    );

    // The emulator holds exactly the plan.
    const actual = env.api.clusterResources('demo');
    expect(actual.map((r) => lower(r.id)).sort()).toEqual(plan.resources.map((r) => lower(r.id)).sort());
    const byId = new Map(actual.map((r) => [lower(r.id), r]));
    const of = (role: string): ArmResource[] =>
      plan.resources.filter((r) => r.role === role).map((r) => byId.get(lower(r.id))!);

    // Two subnets, each with its own NSG.
    const [cpSubnet] = of('controlPlaneSubnet');
    const [workerSubnet] = of('workerSubnet');
    const nsgOf = (s: ArmResource | undefined): string =>
      lower((props(s)['networkSecurityGroup'] as { id: string }).id);
    expect(nsgOf(cpSubnet)).toBe(lower(plan.resources.find((r) => r.role === 'controlPlaneNsg')!.id));
    expect(nsgOf(workerSubnet)).toBe(lower(plan.resources.find((r) => r.role === 'workerNsg')!.id));
    expect(nsgOf(cpSubnet)).not.toBe(nsgOf(workerSubnet));

    // No public IP on any NIC or VM.
    type IpConfig = {
      properties: { publicIPAddress?: unknown; loadBalancerBackendAddressPools?: { id: string }[] };
    };
    const nics = [...of('controlPlaneNic'), ...of('workerNic')];
    for (const nic of nics) {
      for (const ipc of props(nic)['ipConfigurations'] as IpConfig[])
        expect(ipc.properties.publicIPAddress).toBeUndefined();
    }
    for (const vm of [...of('controlPlaneVm'), ...of('workerVm')]) {
      expect(JSON.stringify(vm)).not.toMatch(/publicIPAddress/i);
    }

    // The API server LB's backend pool holds exactly the control-plane NICs.
    const [lb] = of('apiServerLoadBalancer');
    const poolId = lower((props(lb)['backendAddressPools'] as { id: string }[])[0]!.id);
    const inPool = nics
      .filter((nic) =>
        (props(nic)['ipConfigurations'] as IpConfig[]).some((c) =>
          (c.properties.loadBalancerBackendAddressPools ?? []).some((p) => lower(p.id) === poolId),
        ),
      )
      .map((n) => n.name)
      .sort();
    expect(inPool).toEqual(
      of('controlPlaneNic')
        .map((n) => n.name)
        .sort(),
    );

    // Workers (and control plane) balanced over the zones, per pool.
    const vms = plan.resources.filter((r) => r.type === 'Microsoft.Compute/virtualMachines');
    for (const pool of new Set(vms.map((v) => v.pool))) {
      const perZone = new Map<string, number>();
      for (const v of vms.filter((x) => x.pool === pool)) {
        const zones = byId.get(lower(v.id))!.zones ?? [];
        expect(zones).toHaveLength(1);
        perZone.set(zones[0]!, (perZone.get(zones[0]!) ?? 0) + 1);
      }
      const counts = [...perZone.values()];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }

    // Listed.
    const list = await env.api.request('GET', 'clusters');
    expect((list.json as { clusters: ClusterView[] }).clusters.map((c) => c.name)).toContain('demo');

    // Re-POST of the same spec: a new run that writes nothing.
    const writesAfterCreate = env.api.writes();
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    const again = await env.api.waitForCluster('demo');
    expect(again.final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(env.api.writes() - writesAfterCreate).toBe(0);

    // Delete: nothing the cluster created is left; the resource group stays.
    const del = await env.api.request('DELETE', 'clusters/demo');
    expect(del.status).toBe(202);
    const deleted = await env.api.waitForCluster('demo');
    expect(deleted.final).toMatchObject({
      runtimeStatus: 'Completed',
      phase: 'Deleted',
      operation: 'delete',
    });
    expect(env.api.clusterResources('demo')).toEqual([]);
    expect(env.events.map((e) => e.eventType)).toContain('ClusterProvisioner.Cluster.Deleted');
    expect(
      (env.emulator.resources() as ArmResource[]).some((r) => /resourceGroups\/rg-demo$/i.test(r.id)),
    ).toBe(true);
    expect((await env.api.request('DELETE', 'clusters/demo')).status).toBe(404);
    const listAfter = await env.api.request('GET', 'clusters');
    expect((listAfter.json as { clusters: ClusterView[] }).clusters.map((c) => c.name)).not.toContain('demo');
  });

  it('deletes the nodes a changed spec no longer asks for, and refuses to move a cluster', async () => {
    const spec = exampleSpec('shrink');
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    expect((await env.api.waitForCluster('shrink')).final.runtimeStatus).toBe('Completed');
    const pools = spec['nodePools'] as Record<string, unknown>[];

    // A smaller `general` pool and no `memory` pool: the nodes that go are deleted, the rest untouched.
    const smaller = { ...spec, nodePools: [{ ...pools[0], count: 3, minCount: 1 }] };
    const plan = planOf(smaller);
    const opsBefore = env.emulator.operations().length;
    expect((await env.api.request('POST', 'clusters', smaller)).status).toBe(202);
    const { final, phases } = await env.api.waitForCluster('shrink');
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    expect(phases).toContain('Pruning');
    const actual = env.api.clusterResources('shrink');
    expect(actual.map((r) => lower(r.id)).sort()).toEqual(plan.resources.map((r) => lower(r.id)).sort());
    // The only writes are the deletes: 3 general + 2 memory nodes, a VM and a NIC each.
    const writes = env.emulator
      .operations()
      .slice(opsBefore)
      .filter((o) => o.write);
    expect(writes.map((o) => o.method)).toEqual(Array(2 * (3 + 2)).fill('DELETE'));

    // A cluster stays where it is: another resource group is refused before anything is written.
    const moved = await env.api.request('POST', 'clusters', { ...smaller, resourceGroup: 'rg-other' });
    expect(moved.status).toBe(409);
    expect(JSON.stringify(moved.json)).toMatch(/ClusterExists.*rg-demo/);

    expect((await env.api.request('DELETE', 'clusters/shrink')).status).toBe(202);
    expect((await env.api.waitForCluster('shrink')).final.phase).toBe('Deleted');
    expect(env.api.clusterResources('shrink')).toEqual([]);
  });

  it('keeps existing nodes in their zones when a pool changes, and refuses what a cluster cannot do', async () => {
    const name = 'zones';
    const spec = exampleSpec(name);
    expect((await env.api.request('POST', 'clusters', spec)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.runtimeStatus).toBe('Completed');
    const vmZones = (): Map<string, string> =>
      new Map(
        env.api
          .clusterResources(name)
          .filter((r) => /\/virtualMachines\//i.test(r.id))
          .map((r) => [r.name, r.zones?.[0] ?? '']),
      );
    const before = vmZones();
    const opsBefore = env.emulator.operations().length;

    // dryRun takes true or false only.
    const badDry = await env.api.request('POST', 'clusters?dryRun=yes', spec);
    expect(badDry.status).toBe(400);
    expect(badDry.json).toEqual({
      errors: [{ path: 'dryRun', message: expect.stringMatching(/"yes"/) as unknown }],
    });
    expect((await env.api.request('POST', 'clusters?dryRun=TRUE', spec)).status).toBe(200);

    // The control plane (etcd) never shrinks.
    const cp = spec['controlPlane'] as Record<string, unknown>;
    const shrunk = await env.api.request('POST', 'clusters', { ...spec, controlPlane: { ...cp, count: 1 } });
    expect(shrunk.status).toBe(409);
    expect(JSON.stringify(shrunk.json)).toMatch(/controlPlane\.count.*etcd.*quorum/);

    // Kubernetes upgrades do not exist yet, and the CNI is installed once: both are refused, by name.
    const upgraded = await env.api.request('POST', 'clusters', {
      ...spec,
      kubernetesVersion: '1.32.4',
      network: { ...(spec['network'] as Record<string, unknown>), cni: 'cilium' },
    });
    expect(upgraded.status).toBe(409);
    expect(JSON.stringify(upgraded.json)).toMatch(
      /ClusterSettingImmutable.*kubernetesVersion cannot change.*upgrades/,
    );
    expect(JSON.stringify(upgraded.json)).toMatch(
      /network\.cni cannot change from \\"calico\\" to \\"cilium\\"/,
    );

    expect(env.emulator.operations().length).toBe(opsBefore);
    expect((await env.api.cluster(name)).runtimeStatus).toBe('Completed');

    // `general` from 6 nodes over zones 1-3 to 9 over zones 1-2: nothing moves, the new nodes go to 1 and 2.
    const pools = spec['nodePools'] as Record<string, unknown>[];
    const grown = { ...spec, nodePools: [{ ...pools[0], count: 9, zones: [1, 2] }, ...pools.slice(1)] };
    expect((await env.api.request('POST', 'clusters', grown)).status).toBe(202);
    const { final } = await env.api.waitForCluster(name);
    expect(final).toMatchObject({ runtimeStatus: 'Completed', phase: 'Provisioned' });
    const after = vmZones();
    for (const [vm, zone] of before) expect([vm, after.get(vm)]).toEqual([vm, zone]);
    const added = [...after.keys()].filter((vm) => !before.has(vm)).sort();
    expect(added).toEqual([`${name}-general-6`, `${name}-general-7`, `${name}-general-8`]);
    expect(added.map((vm) => after.get(vm)).sort()).toEqual(['1', '1', '2']);
    const writes = env.emulator
      .operations()
      .slice(opsBefore)
      .filter((o) => o.write);
    // The new nodes' fresh join token is registered by one run command on a control-plane VM, written
    // and deleted before them (docs/bootstrap.md).
    const runCommands = writes.filter((o) => /\/runCommands\//i.test(o.path));
    expect(runCommands.map((o) => o.method)).toEqual(['PUT', 'DELETE']);
    // Otherwise only the new nodes' NICs and VMs are written; no existing VM is rewritten.
    const nodeWrites = writes.filter((o) => !runCommands.includes(o));
    expect(nodeWrites).toHaveLength(2 * 3);
    expect(nodeWrites.filter((o) => o.method !== 'PUT' || !/general-[678](-nic)?$/.test(o.path))).toEqual([]);

    // A dry run shows the same placement: re-planning from the cluster's nodes, not from scratch.
    const dry = await env.api.request('POST', 'clusters?dryRun=true', grown);
    const planned = (dry.json as Plan).resources.filter((r) => r.role === 'workerVm' && r.pool === 'general');
    expect(new Map(planned.map((r) => [r.name, r.zone]))).toEqual(
      new Map([...after].filter(([vm]) => vm.startsWith(`${name}-general-`))),
    );

    expect((await env.api.request('DELETE', `clusters/${name}`)).status).toBe(202);
    expect((await env.api.waitForCluster(name)).final.phase).toBe('Deleted');
    expect(env.api.clusterResources(name)).toEqual([]);
  });
});
