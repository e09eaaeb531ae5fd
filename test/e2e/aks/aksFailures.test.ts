/**
 * AKS failures and refusals over HTTP: a failing agent-pool PUT is reported with AKS's code and
 * message (HTTP status and CLI) and a retry after the fault clears finishes it with nothing
 * duplicated; the version and zone-change preflight answers 400 naming the field with zero ARM
 * writes; a brought VNet and subnet are read and checked, used, and left in place on delete.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import { armSettingsFromEnv, createArmClients } from '../../../src/resources/clients';
import { networkSdk } from '../../../src/resources/types/network/sdk';
import {
  appSettings,
  type ArmResource,
  type Environment,
  FUNCTION_KEY,
  ROOT,
  startEnvironment,
} from '../iaas/iaasHarness';

const RG = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers`;
const CLI = path.join(ROOT, 'dist/src/cli/index.js');
const lower = (s: string): string => s.toLowerCase();

function aksSpec(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'aks',
    name,
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.33',
    nodePools: [
      { name: 'system', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      { name: 'apps', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      { name: 'batch', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
    ],
    ...overrides,
  };
}

interface View {
  runtimeStatus: string;
  phase?: string;
  error?: { resource: string; code: string; message: string };
}

describe('AKS failures and refusals over HTTP', () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment(0.005);
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(() => env.emulator.faults.clear());

  const resources = (): ArmResource[] => env.emulator.resources() as ArmResource[];
  const resource = (id: string): ArmResource | undefined =>
    resources().find((r) => lower(r.id) === lower(id));
  const lastSeq = (): number => env.emulator.operations().at(-1)?.seq ?? 0;
  const writesSince = (seq: number): string[] =>
    env.emulator
      .operations()
      .filter((o) => o.seq > seq && o.write && o.method !== 'GET')
      .map((o) => `${o.method} ${o.path}`);

  async function provision(spec: Record<string, unknown>): Promise<View> {
    const res = await env.api.request('POST', 'clusters', spec);
    expect(res).toMatchObject({ status: 202 });
    return (await env.api.waitForCluster(String(spec.name), 120_000)).final;
  }

  /** Runs the compiled CLI in its own process against the local host. */
  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: env.tempDir,
        env: {
          PATH: process.env.PATH ?? '',
          PROVISIONER_URL: env.host.url,
          PROVISIONER_KEY: FUNCTION_KEY,
          NO_COLOR: '1',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('reports a failing agent-pool PUT with its ARM code and message; a retry after the fault finishes it with no duplicates', async () => {
    const clusterId = `${RG}/Microsoft.ContainerService/managedClusters/aksfail`;
    const failure = {
      code: 'ReconcileVMSSAgentPoolFailed',
      message:
        'Code="AllocationFailed" Message="Allocation failed. We do not have sufficient capacity for the requested VM size in this region."',
    };
    env.emulator.faults.add({ method: 'PUT', path: '/agentPools/batch$', count: 20, lroFailure: failure });

    const failed = await provision(aksSpec('aksfail'));
    expect(failed).toMatchObject({ runtimeStatus: 'Failed', phase: 'Failed' });
    expect(failed.error).toMatchObject({ code: failure.code });
    expect(lower(failed.error?.resource ?? '')).toBe(lower(`${clusterId}/agentPools/batch`));
    expect(failed.error?.message).toContain('Allocation failed');
    // The other pools were created; the failed one is not reported as ready.
    expect(resource(`${clusterId}/agentPools/apps`)).toBeDefined();

    const status = await cli(['status', 'aksfail']);
    // `status` reports (exit 0); the failure is in what it prints.
    expect(status.code).toBe(0);
    const text = status.stdout + status.stderr;
    expect(text).toContain(failure.code);
    expect(text).toContain('agentPools/batch');
    expect(text).toContain('Allocation failed');

    // The fault clears: the same spec again writes only the pool that failed.
    env.emulator.faults.clear();
    const mark = lastSeq();
    expect(await provision(aksSpec('aksfail'))).toMatchObject({
      runtimeStatus: 'Completed',
      phase: 'Provisioned',
    });
    expect(writesSince(mark)).toEqual([`PUT ${clusterId}/agentPools/batch`]);
    const pools = resources().filter((r) => lower(r.id).startsWith(lower(`${clusterId}/agentPools/`)));
    expect(pools.map((p) => p.name).sort()).toEqual(['apps', 'batch', 'system']);
    expect(
      resources().filter((r) => /Microsoft.ContainerService\/managedClusters$/i.test(r.type)),
    ).toHaveLength(1);
  });

  it('answers 400 naming the field, with zero ARM writes, for a version the region does not offer and a zone change', async () => {
    let mark = lastSeq();
    const version = await env.api.request(
      'POST',
      'clusters',
      aksSpec('aksver', { kubernetesVersion: '1.29' }),
    );
    expect(version.status).toBe(400);
    expect((version.json as { errors: { path: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({
        path: 'kubernetesVersion',
        message: expect.stringContaining('1.29') as unknown,
      }),
    ]);
    const poolVersion = structuredClone(aksSpec('aksver'));
    (poolVersion.nodePools as Record<string, unknown>[])[1]!.kubernetesVersion = '1.32.1';
    const poolRes = await env.api.request('POST', 'clusters', poolVersion);
    expect(poolRes.status).toBe(400);
    expect((poolRes.json as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'nodePools[1].kubernetesVersion',
    ]);
    expect(writesSince(mark)).toEqual([]);

    // "aksfail" exists (previous test) with its pools in zones 1-3: moving one is refused.
    mark = lastSeq();
    const moved = aksSpec('aksfail');
    (moved.nodePools as Record<string, unknown>[])[1]!.zones = [1];
    const zones = await env.api.request('POST', 'clusters', moved);
    expect(zones.status).toBe(400);
    expect((zones.json as { errors: { path: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({
        path: 'nodePools[1].zones',
        message: expect.stringContaining('apps') as unknown,
      }),
    ]);
    expect(writesSince(mark)).toEqual([]);
    expect(await env.api.cluster('aksfail')).toMatchObject({ phase: 'Provisioned' });
  });

  it('reads and checks a brought VNet, provisions into it, and delete leaves it while removing everything of ours', async () => {
    const arm = createArmClients(
      armSettingsFromEnv(appSettings(env.emulator, path.join(env.tempDir, 'arm-ca.pem'))),
    );
    const network = arm.clientOf(networkSdk);
    const vnetId = `${RG}/Microsoft.Network/virtualNetworks/byo-vnet`;
    await network.virtualNetworks.beginCreateOrUpdateAndWait(
      'rg-demo',
      'byo-vnet',
      {
        location: 'eastus',
        addressSpace: { addressPrefixes: ['10.50.0.0/16'] },
        subnets: [
          { name: 'nodes', addressPrefix: '10.50.0.0/24' },
          { name: 'tiny', addressPrefix: '10.50.1.0/28' },
        ],
      },
      { updateIntervalInMs: 20 },
    );
    const broughtBefore = resources()
      .filter((r) => lower(r.id).startsWith(lower(vnetId)))
      .map((r) => r.id)
      .sort();
    expect(broughtBefore).toHaveLength(3);
    const brought = (subnet: string, extra: Record<string, unknown> = {}) =>
      aksSpec('aksbyo', {
        nodePools: [
          { name: 'system', count: 1, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
          { name: 'apps', count: 2, vmSize: 'Standard_D4s_v5', zones: [1, 2] },
        ],
        network: { nodeSubnet: { vnetName: 'byo-vnet', name: subnet }, ...extra },
      });

    let mark = lastSeq();
    // The service range inside the brought VNet's address space.
    const overlap = await env.api.request(
      'POST',
      'clusters',
      brought('nodes', { serviceCidr: '10.50.128.0/20', dnsServiceIP: '10.50.128.10' }),
    );
    expect(overlap.status).toBe(400);
    expect((overlap.json as { errors: { path: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({
        path: 'network.serviceCidr',
        message: expect.stringContaining('10.50.0.0/16') as unknown,
      }),
    ]);
    // 3 nodes × (30 pods + 1) addresses do not fit in a /28 (11 usable).
    const small = await env.api.request('POST', 'clusters', brought('tiny'));
    expect(small.status).toBe(400);
    expect((small.json as { errors: { path: string; message: string }[] }).errors).toEqual([
      expect.objectContaining({
        path: 'network.nodeSubnet',
        message: expect.stringContaining('93') as unknown,
      }),
    ]);
    // A subnet that is not there.
    const missing = await env.api.request('POST', 'clusters', brought('nope'));
    expect(missing.status).toBe(400);
    expect((missing.json as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'network.nodeSubnet',
    ]);
    expect(writesSince(mark)).toEqual([]);

    // A brought network that fits: the pools go into its subnet; none of it is written.
    mark = lastSeq();
    expect(await provision(brought('nodes'))).toMatchObject({
      runtimeStatus: 'Completed',
      phase: 'Provisioned',
    });
    const clusterId = `${RG}/Microsoft.ContainerService/managedClusters/aksbyo`;
    for (const pool of ['system', 'apps']) {
      expect(lower(String(resource(`${clusterId}/agentPools/${pool}`)?.properties?.vnetSubnetID))).toBe(
        lower(`${vnetId}/subnets/nodes`),
      );
    }
    const written = writesSince(mark);
    expect(
      written.filter(
        (w) => /^PUT /.test(w) && lower(w).startsWith(lower(`PUT ${vnetId}`)) && !/roleAssignments/i.test(w),
      ),
    ).toEqual([]);
    expect(resources().filter((r) => /virtualNetworks\/aksbyo-vnet/i.test(r.id))).toEqual([]);

    expect((await env.api.request('DELETE', 'clusters/aksbyo')).status).toBe(202);
    expect((await env.api.waitForCluster('aksbyo', 120_000)).final).toMatchObject({ phase: 'Deleted' });
    // The brought VNet and its subnets are all still there; nothing of the cluster is.
    expect(
      resources()
        .filter((r) => lower(r.id).startsWith(lower(vnetId)) && !/roleAssignments/i.test(r.id))
        .map((r) => r.id)
        .sort(),
    ).toEqual(broughtBefore);
    expect(
      resources().filter(
        (r) =>
          /aksbyo/i.test(r.id) || (lower(r.id).startsWith(lower(vnetId)) && /roleAssignments/i.test(r.id)),
      ),
    ).toEqual([]);
  });
});
