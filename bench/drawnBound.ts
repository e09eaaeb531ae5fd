/**
 * The critical-path bound of a plan from the latencies ARM actually drew in one run (the emulator's
 * `GET /_emulator/latencies`): each planned resource weighs what its own operation took, and the bound is
 * the longest path through the plan's dependency graph (the reverse graph for a delete). No apply, however
 * parallel and however fast its orchestrator, can finish sooner than ARM's own operations along that path.
 *
 * How resources without exactly one draw count:
 *  - **drawn more than once** (written twice in the run, e.g. a VM created again after a failure, or a
 *    needless second write): its FIRST draw only. An apply that writes each resource once is what the
 *    bound describes, so a second write is the orchestrator's cost and shows in the ratio. Listed in
 *    `drawnMoreThanOnce`.
 *  - **never drawn**: weighs 0. Types ARM answers at once (Key Vault, managed identities, role
 *    assignments, secrets: no long-running operation, hence no draw) are expected here; any other
 *    resource here was not written in the run at all. Listed in `notDrawn` so the caller can print them.
 * Brought resources (`owned: false`) are never written and weigh 0, as in `planCriticalPath`.
 *
 * A Flexible scale set's operation ends with its slowest member, and its members are no planned resources
 * (Azure names them, `<set>_<8 hex>`, each with its NIC `<member>-<nic config>`): a set weighs the larger
 * of its own draw and its slowest member's — for a write the member's NIC draw plus its VM's (the NIC is
 * made first), for a delete the member VM's. Only the members' first draws of that kind count.
 */
import { planCriticalPath } from '../src/cluster/plan/planCriticalPath';
import type { Plan } from '../src/cluster/plan/types';

/** The fields of the emulator's `LatencyDraw` this computation reads. */
export interface DrawnLatency {
  /** Resource id as the request spelled it (matched without regard to case). */
  id: string;
  kind: 'write' | 'delete';
  /** Order in which operations started; the first draw of a resource is the lowest. */
  seq: number;
  /** What the operation took at the time scale it ran under, milliseconds. */
  durationMs: number;
}

export interface DrawnBound {
  /** Longest path, milliseconds (at the run's time scale). */
  boundMs: number;
  /** Each owned resource's weight on the graph (lower-case id → ms). */
  weightMs: Map<string, number>;
  /** Owned resources with no draw of this kind (weighed 0). */
  notDrawn: string[];
  /** Owned resources drawn more than once (their first draw counted). */
  drawnMoreThanOnce: string[];
}

/** The delete graph is the create graph reversed: a resource goes once everything that needs it is gone. */
export function reversedPlan(plan: Plan): Plan {
  const owned = plan.resources.filter((r) => r.owned);
  const needs = new Map<string, string[]>();
  for (const r of owned) {
    for (const dependency of r.dependsOn) {
      const key = dependency.toLowerCase();
      needs.set(key, [...(needs.get(key) ?? []), r.id]);
    }
  }
  return {
    ...plan,
    resources: owned.map((r) => ({ ...r, dependsOn: needs.get(r.id.toLowerCase()) ?? [] })),
  };
}

/**
 * The bound of `plan` (already reversed for a delete) from `draws` of `kind`. Draws of resources outside
 * the plan (another cluster's) are ignored.
 */
export function drawnCriticalPath(
  plan: Plan,
  draws: readonly DrawnLatency[],
  kind: 'write' | 'delete',
): DrawnBound {
  const owned = new Set(plan.resources.filter((r) => r.owned).map((r) => r.id.toLowerCase()));
  const first = new Map<string, DrawnLatency>();
  const count = new Map<string, number>();
  for (const draw of draws) {
    const key = draw.id.toLowerCase();
    if (draw.kind !== kind || !owned.has(key)) continue;
    count.set(key, (count.get(key) ?? 0) + 1);
    const known = first.get(key);
    if (known === undefined || draw.seq < known.seq) first.set(key, draw);
  }
  const weightMs = new Map<string, number>();
  for (const key of owned) weightMs.set(key, first.get(key)?.durationMs ?? 0);
  for (const set of plan.resources.filter((r) => r.owned && (r.type as string) === SCALE_SETS)) {
    const key = set.id.toLowerCase();
    weightMs.set(key, Math.max(weightMs.get(key) ?? 0, slowestMember(set.id, draws, kind)));
  }
  const boundMs = planCriticalPath(plan, (r) => weightMs.get(r.id.toLowerCase()) ?? 0);
  return {
    boundMs,
    weightMs,
    notDrawn: plan.resources.filter((r) => r.owned && !first.has(r.id.toLowerCase())).map((r) => r.id),
    drawnMoreThanOnce: plan.resources
      .filter((r) => r.owned && (count.get(r.id.toLowerCase()) ?? 0) > 1)
      .map((r) => r.id),
  };
}

const SCALE_SETS = 'Microsoft.Compute/virtualMachineScaleSets';

/** The slowest member of the scale set `setId` in `draws` (0 when none was drawn), ms. */
function slowestMember(setId: string, draws: readonly DrawnLatency[], kind: 'write' | 'delete'): number {
  const providers = setId.slice(0, setId.toLowerCase().indexOf('/providers/') + '/providers/'.length);
  const setName = setId.slice(setId.lastIndexOf('/') + 1);
  const vmPrefix = `${providers}Microsoft.Compute/virtualMachines/${setName}_`.toLowerCase();
  const nicPrefix = `${providers}Microsoft.Network/networkInterfaces/${setName}_`.toLowerCase();
  const firstOf = (prefix: string): Map<string, DrawnLatency> => {
    const out = new Map<string, DrawnLatency>();
    for (const d of draws) {
      const id = d.id.toLowerCase();
      if (d.kind !== kind || !id.startsWith(prefix)) continue;
      const known = out.get(id);
      if (known === undefined || d.seq < known.seq) out.set(id, d);
    }
    return out;
  };
  const nameOf = (id: string): string => id.slice(id.lastIndexOf('/') + 1);
  const nics = kind === 'write' ? [...firstOf(nicPrefix)].map(([id, d]) => [nameOf(id), d] as const) : [];
  let slowest = 0;
  for (const [id, vm] of firstOf(vmPrefix)) {
    const member = `${nameOf(id)}-`;
    const nicMs = Math.max(0, ...nics.filter(([nic]) => nic.startsWith(member)).map(([, d]) => d.durationMs));
    slowest = Math.max(slowest, nicMs + vm.durationMs);
  }
  return slowest;
}
