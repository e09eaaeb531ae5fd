import { planCriticalPath } from '../../../src/cluster/plan';
import {
  deletionGraph,
  type GraphUnit,
  provisioningGraph,
  ReadyTracker,
} from '../../../src/cluster/plan/readyGraph';
import { type PlannedResource, ResourceTypes } from '../../../src/cluster/plan/types';
import { examplePlan } from '../../support/examplePlan';

/** Per-type latencies of the emulator's fixed model (seconds), enough to make the graph uneven. */
const SECONDS: Record<string, number> = {
  [ResourceTypes.virtualMachine.toLowerCase()]: 60,
  [ResourceTypes.networkInterface.toLowerCase()]: 2,
  'microsoft.network/loadbalancers': 8,
  'microsoft.network/natgateways': 8,
  'microsoft.network/publicipaddresses': 3.5,
  'microsoft.network/virtualnetworks': 4,
  'microsoft.network/virtualnetworks/subnets': 3,
  'microsoft.network/networksecuritygroups': 3,
};
const latency = (r: PlannedResource): number => (r.owned ? (SECONDS[r.type.toLowerCase()] ?? 0) : 0);

/**
 * Runs the units as a perfect driver would: a unit starts the moment the tracker releases it, its
 * resources one after the other. Returns each resource's start and finish (lower-case id).
 */
function simulate(
  units: GraphUnit[],
  latencyOf: (r: PlannedResource) => number,
): Map<string, { start: number; finish: number }> {
  const times = new Map<string, { start: number; finish: number }>();
  const tracker = new ReadyTracker(units);
  // Event queue of unit completions (time, unit), processed in time order.
  const queue: [number, number][] = [];
  const run = (u: number, at: number): void => {
    let t = at;
    for (const r of units[u]?.resources ?? []) {
      const finish = t + latencyOf(r);
      times.set(r.id.toLowerCase(), { start: t, finish });
      t = finish;
    }
    queue.push([t, u]);
  };
  for (const u of tracker.initiallyReady()) run(u, 0);
  while (queue.length > 0) {
    queue.sort((a, b) => a[0] - b[0]);
    const [t, u] = queue.shift() as [number, number];
    for (const next of tracker.complete(u)) run(next, t);
  }
  return times;
}

describe('provisioningGraph + ReadyTracker (ready-driven order)', () => {
  const plan = examplePlan();

  it('starts every resource only after all of its own dependencies finished', () => {
    const times = simulate(provisioningGraph(plan.resources), latency);
    expect(times.size).toBe(plan.resources.length);
    for (const r of plan.resources) {
      const own = times.get(r.id.toLowerCase());
      for (const dep of r.dependsOn) {
        const d = times.get(dep.toLowerCase());
        if (d && own) expect(own.start).toBeGreaterThanOrEqual(d.finish);
      }
    }
  });

  it('finishes at the critical-path bound when steps cost nothing (no wave waits for its slowest)', () => {
    const times = simulate(provisioningGraph(plan.resources), latency);
    const makespan = Math.max(...[...times.values()].map((t) => t.finish));
    expect(makespan).toBe(planCriticalPath(plan, latency));
  });

  it('does not delay a resource for an unrelated slow chain (the public load balancer)', () => {
    const base = simulate(provisioningGraph(plan.resources), latency);
    const slowLb = (r: PlannedResource): number =>
      r.role === 'apiServerLoadBalancer' ? 10 * latency(r) : latency(r);
    const slow = simulate(provisioningGraph(plan.resources), slowLb);
    const workers = plan.resources.filter((r) => r.role === 'workerNic' || r.role === 'workerVm');
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      expect(slow.get(w.id.toLowerCase())?.start).toBe(base.get(w.id.toLowerCase())?.start);
    }
    // ... while the control plane, whose NICs sit behind that load balancer, is delayed by it.
    const cpVm = plan.resources.find((r) => r.role === 'controlPlaneVm');
    expect(slow.get(cpVm!.id.toLowerCase())!.start).toBeGreaterThan(base.get(cpVm!.id.toLowerCase())!.start);
  });

  it('contracts linear runs into chains (public IP → its load balancer) and nothing else', () => {
    const units = provisioningGraph(plan.resources);
    const lb = units.find((u) => u.resources.some((r) => r.role === 'apiServerLoadBalancer'));
    expect(lb?.resources.map((r) => r.role)).toEqual(['apiServerPublicIp', 'apiServerLoadBalancer']);
    // A VM waits for its NIC, its identity and a role assignment: it is its own unit.
    const vm = units.find((u) => u.resources.some((r) => r.role === 'workerVm'));
    expect(vm?.resources).toHaveLength(1);
    expect(vm?.deps.length).toBeGreaterThan(1);
  });

  it('puts every resource in exactly one unit', () => {
    const ids = provisioningGraph(plan.resources).flatMap((u) => u.resources.map((r) => r.id));
    expect(ids.sort()).toEqual(plan.resources.map((r) => r.id).sort());
    const owned = deletionGraph(plan.resources).flatMap((u) => u.resources.map((r) => r.id));
    expect(owned.sort()).toEqual(
      plan.resources
        .filter((r) => r.owned)
        .map((r) => r.id)
        .sort(),
    );
  });

  it('treats resources already done (brought and verified) as satisfied', () => {
    const vnet = plan.resources.find((r) => r.role === 'vnet')!;
    const units = provisioningGraph(plan.resources, new Set([vnet.id.toLowerCase()]));
    expect(units.flatMap((u) => u.resources).some((r) => r.id === vnet.id)).toBe(false);
    expect(simulate(units, latency).size).toBe(plan.resources.length - 1);
  });

  it('refuses a dependency cycle, naming a unit on it', () => {
    const [a, b] = plan.resources;
    const cyclic = [
      { ...a!, dependsOn: [b!.id] },
      { ...b!, dependsOn: [a!.id] },
    ];
    expect(() => provisioningGraph(cyclic)).toThrow(/Dependency cycle through/);
  });
});

describe('deletionGraph', () => {
  const plan = examplePlan();

  it('deletes a resource only after everything that depends on it is gone, never a brought one', () => {
    const withBrought = plan.resources.map((r) => (r.role === 'vnet' ? { ...r, owned: false } : r));
    const units = deletionGraph(withBrought);
    const deleted = units.flatMap((u) => u.resources);
    expect(deleted.some((r) => !r.owned)).toBe(false);
    const times = simulate(units, latency);
    for (const r of deleted) {
      for (const dep of r.dependsOn) {
        const gone = times.get(r.id.toLowerCase());
        const dependency = times.get(dep.toLowerCase());
        if (gone && dependency) expect(dependency.start).toBeGreaterThanOrEqual(gone.finish);
      }
    }
  });
});
