/**
 * The topology answer (`GET /api/clusters/{name}/topology`, drawn by the status page): pure, from the
 * cluster's status view, the plan of its last operation and the nodes known ready in this run.
 */
import type { Plan, PlannedResource } from '../cluster/plan/types';
import { hintFor } from './hints';
import type { ClusterStatusBody, NodeState, TopologyBody, TopologyNode } from './schemas';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const lastSegment = (id: unknown): string | undefined => str(id)?.split('/').pop();

const ACTIVE = new Set(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

function nodeState(
  view: ClusterStatusBody,
  ids: readonly string[],
  name: string,
  zone: string,
  ready: ReadonlySet<string>,
): NodeState {
  const failedId = view.error?.resource.toLowerCase();
  const failed = failedId !== undefined && failedId !== '' && ids.some((id) => id.toLowerCase() === failedId);
  const active = ACTIVE.has(view.runtimeStatus);
  if (view.operation === 'delete') {
    if (failed) return 'failed';
    return view.phase === 'Deleted' ? 'deleted' : 'deleting';
  }
  if (failed) return 'failed';
  if (view.phase === 'Provisioned' && !active) return 'ready';
  const zoneProgress = view.zones?.[zone];
  if (
    ready.has(name) ||
    (zoneProgress && zoneProgress.nodesTotal > 0 && zoneProgress.nodesReady === zoneProgress.nodesTotal)
  )
    return 'ready';
  return active ? 'provisioning' : 'pending';
}

function zonesOf(
  view: ClusterStatusBody,
  plan: Plan,
  readyByZone: Readonly<Record<string, readonly string[]>>,
) {
  const ready = new Set(Object.values(readyByZone).flat());
  const nodes = new Map<string, { zone: string; resources: PlannedResource[] }>();
  for (const resource of plan.resources) {
    if (resource.node === undefined) continue;
    const entry = nodes.get(resource.node) ?? { zone: resource.zone ?? 'none', resources: [] };
    entry.resources.push(resource);
    nodes.set(resource.node, entry);
  }
  const zones = new Map<string, TopologyNode[]>();
  for (const zone of plan.cluster.zones) zones.set(zone, []);
  for (const [name, { zone, resources }] of nodes) {
    const vm = resources.find((r) => r.role === 'controlPlaneVm' || r.role === 'workerVm');
    const vmSize = str(obj(obj(obj(vm?.body).properties).hardwareProfile).vmSize);
    const node: TopologyNode = {
      name,
      role: resources.some((r) => r.role === 'controlPlaneVm' || r.role === 'controlPlaneNic')
        ? 'controlPlane'
        : 'worker',
      pool: resources[0]?.pool ?? '',
      ...(vmSize ? { vmSize } : {}),
      state: nodeState(
        view,
        resources.map((r) => r.id),
        name,
        zone,
        ready,
      ),
    };
    zones.set(zone, [...(zones.get(zone) ?? []), node]);
  }
  return [...zones.entries()].map(([zone, list]) => ({
    zone,
    // Control plane first, then by pool and name (numbers in names sort as numbers).
    nodes: list.sort(
      (a, b) =>
        Number(b.role === 'controlPlane') - Number(a.role === 'controlPlane') ||
        a.pool.localeCompare(b.pool) ||
        a.name.localeCompare(b.name, undefined, { numeric: true }),
    ),
  }));
}

/** Per-pool scaling decisions, if the status carries them (elastic capacity records a last decision per pool). */
function scalingOf(view: ClusterStatusBody): Obj[] {
  const pools = (view as Obj).nodePools;
  const list = Array.isArray(pools)
    ? pools
    : Object.entries(obj(pools)).map(([name, v]) => ({ name, ...obj(v) }));
  return list.flatMap((pool) => {
    const p = obj(pool);
    const decision = p.lastDecision ?? p.lastScalingDecision ?? p.lastScaling;
    return decision === undefined ? [] : [{ pool: p.name ?? p.pool, ...obj(decision) }];
  });
}

export function clusterTopology(
  view: ClusterStatusBody,
  plan: Plan | undefined,
  readyByZone: Readonly<Record<string, readonly string[]>> = {},
): TopologyBody {
  const resources = plan?.resources ?? [];
  const byRole = (role: string) => resources.filter((r) => r.role === role);
  const vnet = byRole('vnet')[0];
  const vnetProps = obj(obj(vnet?.body).properties);
  const vnetCidr = str((obj(vnetProps.addressSpace).addressPrefixes as unknown[] | undefined)?.[0]);
  const lb = byRole('apiServerLoadBalancer')[0];
  const lbProps = obj(obj(lb?.body).properties);
  const frontend = obj(obj((lbProps.frontendIPConfigurations as unknown[] | undefined)?.[0]).properties);
  const rule = obj(obj((lbProps.loadBalancingRules as unknown[] | undefined)?.[0]).properties);
  const probe = obj(obj((lbProps.probes as unknown[] | undefined)?.[0]).properties);
  const frontendPublicIp = lastSegment(obj(frontend.publicIPAddress).id);
  const port = typeof rule.frontendPort === 'number' ? rule.frontendPort : undefined;
  const probePort = typeof probe.port === 'number' ? ` :${probe.port}` : '';
  const probeText = str(probe.protocol)
    ? [str(probe.protocol), str(probe.requestPath)].filter(Boolean).join(' ') + probePort
    : undefined;
  return {
    cluster: view,
    zones: plan ? zonesOf(view, plan, readyByZone) : [],
    ...(vnet
      ? { vnet: { name: vnet.name, ...(vnetCidr ? { cidr: vnetCidr } : {}), owned: vnet.owned } }
      : {}),
    subnets: [...byRole('controlPlaneSubnet'), ...byRole('workerSubnet')].map((subnet) => {
      const props = obj(obj(subnet.body).properties);
      const cidr = str(props.addressPrefix);
      const nsg = lastSegment(obj(props.networkSecurityGroup).id);
      const natGateway = lastSegment(obj(props.natGateway).id);
      return {
        name: subnet.name,
        role: subnet.role === 'controlPlaneSubnet' ? ('controlPlane' as const) : ('worker' as const),
        ...(cidr ? { cidr } : {}),
        ...(nsg ? { nsg } : {}),
        ...(natGateway ? { natGateway } : {}),
      };
    }),
    ...(lb
      ? {
          loadBalancer: {
            name: lb.name,
            ...(frontendPublicIp ? { frontendPublicIp } : {}),
            ...(port !== undefined ? { port } : {}),
            ...(probeText ? { probe: probeText } : {}),
          },
        }
      : {}),
    ...(view.apiServer ? { apiServer: view.apiServer } : {}),
    scaling: scalingOf(view),
    ...(view.error ? { failure: { ...view.error, hint: hintFor(view.error.code) } } : {}),
  };
}
