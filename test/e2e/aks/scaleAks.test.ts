/**
 * AKS pools scaled through the same node-pool entity as IaaS pools, end to end on the local host with
 * the ARM emulator (AKS's rules, including its refusal of a manual count on an autoscaled pool): a pool
 * the provisioner sizes gets its `count`, a pool AKS's cluster autoscaler sizes gets its `minCount`
 * floor; one agent-pool PUT per decision, none when nothing changes; AKS's node resources are not ours
 * to repair; applying the spec again sets what the spec says, like IaaS.
 */
import { DEFAULT_SUBSCRIPTION_ID } from '@azure-cluster-provisioner/arm-emulator';

import type { ArmResource, Environment } from '../iaas/iaasHarness';
import { startEnvironment } from '../iaas/iaasHarness';
import { deliver, demandEvent, poolView, scaleCloudEvent, waitForScalingIdle } from '../iaas/scalingHarness';

const ADMIN_GROUP = '6b6c1f4a-2f0e-4d36-9a57-3c1a0f1b2c3d';
const CLUSTER = 'aksscale';

function spec(): Record<string, unknown> {
  return {
    type: 'aks',
    name: CLUSTER,
    resourceGroup: 'rg-demo',
    location: 'eastus',
    kubernetesVersion: '1.33',
    nodePools: [
      { name: 'system', count: 3, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      // AKS's cluster autoscaler owns the count (minCount < maxCount).
      { name: 'apps', count: 2, minCount: 1, maxCount: 6, vmSize: 'Standard_D4s_v5', zones: [1, 2, 3] },
      // The provisioner owns the count, within [1, 5].
      {
        name: 'batch',
        count: 2,
        minCount: 1,
        maxCount: 5,
        clusterAutoscaler: false,
        vmSize: 'Standard_D4s_v5',
        zones: [1, 2, 3],
      },
    ],
    aad: { adminGroupObjectIDs: [ADMIN_GROUP] },
  };
}

describe('AKS node pool scaling end to end', () => {
  let env: Environment;
  const t0 = Date.now();
  const at = (seconds: number) => new Date(t0 + seconds * 1000);
  const clusterId = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}`;
  const pool = (name: string): Record<string, unknown> =>
    (env.emulator.resources() as ArmResource[]).find(
      (r) => r.id.toLowerCase() === `${clusterId}/agentPools/${name}`.toLowerCase(),
    )?.properties ?? {};
  const lastSeq = (): number => env.emulator.operations().at(-1)?.seq ?? 0;
  const writesSince = (seq: number): string[] =>
    env.emulator
      .operations()
      .filter((o) => o.seq > seq && o.write && o.status < 300)
      .map((o) => `${o.method} ${o.path.split('?')[0] ?? ''}`);

  async function settled(name: string, desired: number, actual = desired) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await waitForScalingIdle(env);
      const view = await poolView(env, CLUSTER, name);
      if (view.desired === desired && view.actual === actual && !view.scaling) return view;
      if (Date.now() > deadline)
        throw new Error(`pool ${name}: ${JSON.stringify(view)} ${env.logs.slice(-5).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  beforeAll(async () => {
    env = await startEnvironment(0.005, { SCALE_IN_COOLDOWN_SECONDS: '0' });
    expect((await env.api.request('POST', 'clusters', spec())).status).toBe(202);
    const { final } = await env.api.waitForCluster(CLUSTER, 120_000);
    expect(final.runtimeStatus).toBe('Completed');
  }, 150_000);

  afterAll(async () => {
    await env?.close();
  });

  it('shows desired and actual per zone for AKS pools, and the agent pool as AKS reports it', async () => {
    const batch = await poolView(env, CLUSTER, 'batch');
    expect(batch).toMatchObject({
      minCount: 1,
      maxCount: 5,
      desired: 2,
      actual: 2,
      agentPool: { enableAutoScaling: false, count: 2 },
      zones: {
        '1': { desired: 1, actual: 1 },
        '2': { desired: 1, actual: 1 },
        '3': { desired: 0, actual: 0 },
      },
    });
    // The autoscaled pool: desired is the autoscaler's floor, actual the count AKS has.
    const apps = await poolView(env, CLUSTER, 'apps');
    expect(apps).toMatchObject({
      desired: 1,
      actual: 2,
      agentPool: { enableAutoScaling: true, count: 2, minCount: 1, maxCount: 6 },
    });
    expect(pool('batch')).toMatchObject({ enableAutoScaling: false, count: 2 });
  });

  it('an HTTP scale of a pool the provisioner sizes writes its count: one PUT, none when repeated', async () => {
    let mark = lastSeq();
    const route = `clusters/${CLUSTER}/nodepools/batch/scale`;
    expect((await env.api.request('POST', route, { count: 4 })).status).toBe(202);
    const view = await settled('batch', 4);
    expect(pool('batch')).toMatchObject({ enableAutoScaling: false, count: 4 });
    expect(writesSince(mark)).toEqual([`PUT ${clusterId}/agentPools/batch`]);
    expect(view.zones).toEqual({
      '1': { desired: 2, actual: 2 },
      '2': { desired: 1, actual: 1 },
      '3': { desired: 1, actual: 1 },
    });
    expect(view.lastDecision).toMatchObject({
      source: { kind: 'request' },
      outcome: 'scaleOut',
      from: 2,
      to: 4,
    });

    mark = lastSeq();
    expect((await env.api.request('POST', route, { count: 4 })).status).toBe(202);
    await settled('batch', 4);
    expect(writesSince(mark)).toEqual([]);
    // Outside the spec's bounds: refused, naming them.
    const high = await env.api.request('POST', route, { count: 6 });
    expect(high.status).toBe(400);
    expect(JSON.stringify(high.json)).toMatch(/minCount 1 and maxCount 5/);
  });

  it('one ScaleRequested delivered three times changes the count once', async () => {
    const mark = lastSeq();
    const event = scaleCloudEvent(CLUSTER, 'batch', -1, 'aks-scale-once');
    for (let i = 0; i < 3; i++) {
      expect(await deliver(env, [event], 'application/cloudevents-batch+json')).toBe(200);
    }
    await settled('batch', 3);
    expect(pool('batch')).toMatchObject({ count: 3 });
    expect(writesSince(mark)).toEqual([`PUT ${clusterId}/agentPools/batch`]);
  });

  it('demand on an autoscaled pool raises its minCount (never a count), clamped to maxCount; a stale demand changes nothing', async () => {
    let mark = lastSeq();
    expect(await deliver(env, [demandEvent(CLUSTER, 'apps', 4, at(10))])).toBe(200);
    // AKS moves the count into the new window itself: 2 → 4. Had a count been sent, AKS would have
    // refused the PUT ("Cannot manually scale AgentPool ... with cluster autoscaler enabled").
    const view = await settled('apps', 4);
    expect(pool('apps')).toMatchObject({ enableAutoScaling: true, minCount: 4, maxCount: 6, count: 4 });
    expect(view.agentPool).toEqual({ enableAutoScaling: true, count: 4, minCount: 4, maxCount: 6 });
    expect(writesSince(mark)).toEqual([`PUT ${clusterId}/agentPools/apps`]);

    mark = lastSeq();
    expect(await deliver(env, [demandEvent(CLUSTER, 'apps', 50, at(20))])).toBe(200);
    const clamped = await settled('apps', 6);
    expect(clamped.lastDecision?.reason).toMatch(/50 is above maxCount 6: clamped/);
    expect(pool('apps')).toMatchObject({ minCount: 6, maxCount: 6, count: 6 });

    // Stale (older observedAt): ignored, nothing written.
    const before = lastSeq();
    expect(await deliver(env, [demandEvent(CLUSTER, 'apps', 1, at(15))])).toBe(200);
    await waitForScalingIdle(env);
    expect((await poolView(env, CLUSTER, 'apps')).desired).toBe(6);
    expect(writesSince(before)).toEqual([]);

    // Less demand lowers the floor back (the autoscaler may then remove nodes; the count stays AKS's).
    expect(await deliver(env, [demandEvent(CLUSTER, 'apps', 2, at(30))])).toBe(200);
    await settled('apps', 2, 6);
    expect(pool('apps')).toMatchObject({ minCount: 2, maxCount: 6, count: 6 });
    expect(writesSince(mark)).toEqual([
      `PUT ${clusterId}/agentPools/apps`,
      `PUT ${clusterId}/agentPools/apps`,
    ]);
  });

  it('a burst of shuffled demand ends at the newest demand with few agent-pool writes', async () => {
    const mark = lastSeq();
    const events = Array.from({ length: 60 }, (_, i) =>
      demandEvent(CLUSTER, 'batch', 1 + (i % 5), at(100 + i)),
    );
    const newest = events.at(-1)!;
    const shuffled = [...events].sort(() => Math.random() - 0.5);
    await Promise.all(Array.from({ length: 6 }, (_, k) => deliver(env, shuffled.slice(k * 10, k * 10 + 10))));
    const required = (newest['data'] as { requiredNodes: number }).requiredNodes;
    await settled('batch', required);
    expect(pool('batch')).toMatchObject({ count: required });
    const puts = writesSince(mark).length;
    expect(puts).toBeLessThanOrEqual(6);
  });

  it("acknowledges deletions of AKS's node resources without writing anything (AKS heals its nodes)", async () => {
    const mark = lastSeq();
    const vmss = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/MC_rg-demo_${CLUSTER}_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-batch-12345678-vmss`;
    const event = {
      id: 'aks-node-deleted-1',
      eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
      subject: vmss,
      eventTime: new Date().toISOString(),
      dataVersion: '',
      data: {
        resourceUri: `${vmss}/virtualMachines/3`,
        operationName: 'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/delete',
      },
    };
    expect(await deliver(env, [event])).toBe(200);
    await waitForScalingIdle(env);
    expect(env.logs.join('\n')).toMatch(/aks-node-deleted-1 .*AKS heals its own nodes/);
    expect(writesSince(mark)).toEqual([]);
  });

  it("a repair of the cluster's own resources keeps the scaled agent pool sizes", async () => {
    const before = pool('batch')['count'];
    expect(before).not.toBe(2); // scaled away from the spec's count above
    const identity = `/subscriptions/${DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${CLUSTER}-control-plane`;
    const mark = lastSeq();
    const event = {
      id: 'aks-owned-deleted-1',
      eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
      subject: identity,
      eventTime: new Date().toISOString(),
      dataVersion: '',
      data: {
        resourceUri: identity,
        operationName: 'Microsoft.ManagedIdentity/userAssignedIdentities/delete',
      },
    };
    expect(await deliver(env, [event])).toBe(200);
    await waitForScalingIdle(env);
    expect(env.logs.join('\n')).toMatch(/repairing it as nodepool-aksscale-repair-/);
    expect(pool('batch')['count']).toBe(before);
    expect(writesSince(mark).filter((w) => w.includes('/agentPools/'))).toEqual([]);
  });

  it('applying the spec again sets what the spec says (as for IaaS pools), and scaling goes on from there', async () => {
    const mark = lastSeq();
    expect((await env.api.request('POST', 'clusters', spec())).status).toBe(202);
    expect((await env.api.waitForCluster(CLUSTER, 120_000)).final.runtimeStatus).toBe('Completed');
    // batch: the spec's count; apps: the spec's window (the count stays the autoscaler's).
    expect(pool('batch')).toMatchObject({ count: 2 });
    expect(pool('apps')).toMatchObject({ minCount: 1, maxCount: 6, count: 6 });
    const written = writesSince(mark).filter((w) => w.includes('/agentPools/'));
    expect(written.sort()).toEqual([`PUT ${clusterId}/agentPools/apps`, `PUT ${clusterId}/agentPools/batch`]);
    expect(await poolView(env, CLUSTER, 'batch')).toMatchObject({ desired: 2, actual: 2 });
    expect(await poolView(env, CLUSTER, 'apps')).toMatchObject({ desired: 1, actual: 6 });

    expect(
      (await env.api.request('POST', `clusters/${CLUSTER}/nodepools/batch/scale`, { count: 3 })).status,
    ).toBe(202);
    await settled('batch', 3);
    expect(pool('batch')).toMatchObject({ count: 3 });
  }, 150_000);

  it('deleting the cluster ends its pools', async () => {
    expect((await env.api.request('DELETE', `clusters/${CLUSTER}`)).status).toBe(202);
    expect((await env.api.waitForCluster(CLUSTER, 120_000)).final.runtimeStatus).toBe('Completed');
    const entity = await fetch(
      `${env.host.url}/runtime/webhooks/durabletask/entities/nodePool/${CLUSTER}:batch?code=${env.host.keys.systemKeys.durabletask_extension}`,
    );
    expect(entity.status).toBe(404);
    expect(
      (await env.api.request('POST', `clusters/${CLUSTER}/nodepools/batch/scale`, { count: 2 })).status,
    ).toBe(404);
  }, 150_000);
});
