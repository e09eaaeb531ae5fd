/**
 * Helpers for the node-pool scaling e2e tests and bench: deliver events to the app's Event Grid
 * function through the local host's webhook, wait for a pool to settle, count nodes per zone.
 */
import { durableManagementUrl, eventGridWebhookUrl } from '@azure-cluster-provisioner/functions-host';

import type { PoolScalingView } from '../../../src/cluster/scaling/poolScalingView';
import { ScalingFunctions } from '../../../src/functions/scaling/scalingFunctions';
import type { ArmResource, Environment } from './iaasHarness';

export const DEMAND = 'ClusterProvisioner.NodePool.DemandReported';
export const SCALE = 'ClusterProvisioner.NodePool.ScaleRequested';

let seq = 0;

export function demandEvent(
  cluster: string,
  pool: string,
  requiredNodes: number,
  observedAt: Date,
  extra: { id?: string; removableNodes?: string[] } = {},
): Record<string, unknown> {
  return {
    id: extra.id ?? `demand-${++seq}-${observedAt.getTime()}`,
    eventType: DEMAND,
    subject: `clusters/${cluster}/nodePools/${pool}`,
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data: {
      clusterName: cluster,
      nodePool: pool,
      requiredNodes,
      observedAt: observedAt.toISOString(),
      ...(extra.removableNodes ? { removableNodes: extra.removableNodes } : {}),
    },
  };
}

export function scaleCloudEvent(
  cluster: string,
  pool: string,
  delta: number,
  id: string,
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: '/e2e',
    type: SCALE,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { clusterName: cluster, nodePool: pool, delta },
  };
}

/** POSTs a batch to the Event Grid webhook as Event Grid does; returns the HTTP status. */
export async function deliver(
  env: Environment,
  events: unknown[] | string,
  contentType = 'application/json',
): Promise<number> {
  const res = await fetch(eventGridWebhookUrl(env.host, ScalingFunctions.nodeScalingEvents), {
    method: 'POST',
    headers: { 'content-type': contentType, 'aeg-event-type': 'Notification' },
    body: typeof events === 'string' ? events : JSON.stringify(events),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function poolView(env: Environment, cluster: string, pool: string): Promise<PoolScalingView> {
  const res = await env.api.request('GET', `clusters/${cluster}`);
  const view = (res.json as { nodePools?: Record<string, PoolScalingView> }).nodePools?.[pool];
  if (!view) throw new Error(`no pool ${pool} in ${JSON.stringify(res.json)}`);
  return view;
}

/** Request orchestrations of any pool that are pending or running (through the durable management API). */
export async function runningPoolRequests(env: Environment): Promise<string[]> {
  const url = `${durableManagementUrl(env.host)}&instanceIdPrefix=nodepool-&runtimeStatus=Pending,Running`;
  const res = await fetch(url);
  const list = (await res.json()) as { instanceId: string }[];
  return list.map((i) => i.instanceId);
}

/** No request orchestration of any pool is pending or running, and every delivery was handled. */
export async function waitForScalingIdle(env: Environment, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await env.host.eventGridIdle();
    const busy = await runningPoolRequests(env);
    if (busy.length === 0) return;
    if (Date.now() > deadline) throw new Error(`scaling still running: ${busy.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the pool is at `desired` nodes with no operation running; returns its view. */
export async function waitForPool(
  env: Environment,
  cluster: string,
  pool: string,
  desired: number,
  timeoutMs = 60_000,
): Promise<PoolScalingView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await waitForScalingIdle(env, timeoutMs);
    const view = await poolView(env, cluster, pool);
    if (view.desired === desired && view.actual === desired && !view.scaling) return view;
    if (Date.now() > deadline) throw new Error(`pool ${pool} not at ${desired}: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** VMs of the pool that exist in the emulator, per zone. */
export function vmsPerZone(env: Environment, cluster: string, pool: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of env.emulator.resources() as ArmResource[]) {
    if (r.type !== 'Microsoft.Compute/virtualMachines' || !r.name.startsWith(`${cluster}-${pool}-`)) continue;
    const zone = r.zones?.[0] ?? 'none';
    counts[zone] = (counts[zone] ?? 0) + 1;
  }
  return counts;
}

export function nicsOf(env: Environment, cluster: string, pool: string): string[] {
  return (env.emulator.resources() as ArmResource[])
    .filter(
      (r) => r.type === 'Microsoft.Network/networkInterfaces' && r.name.startsWith(`${cluster}-${pool}-`),
    )
    .map((r) => r.name)
    .sort();
}

export function actualPerZone(view: PoolScalingView): Record<string, number> {
  return Object.fromEntries(
    Object.entries(view.zones)
      .filter(([, z]) => z.actual > 0)
      .map(([zone, z]) => [zone, z.actual]),
  );
}

/** VM writes (PUT/DELETE on virtualMachines) the emulator has seen so far. */
export function vmWrites(env: Environment): number {
  return env.emulator
    .operations()
    .filter((o) => o.write && /\/virtualMachines\/[^/]+$/i.test(o.path.split('?')[0] ?? '')).length;
}
