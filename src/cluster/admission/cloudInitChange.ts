/**
 * A changed cloud-init must not be "done" while nothing happened: Azure runs `customData` only when a
 * VM is created, ARM never returns it (so a compare cannot see a change), and it cannot be changed on
 * an existing VM. What each existing node was built with is the previous operation's plan (its VM body,
 * kept in the durable record); a spec that would give an existing node other cloud-init is refused,
 * naming the field and the nodes, rather than accepted and ignored.
 */
import { userCloudInitOf } from '../bootstrap/cloudConfig';
import type { Plan, PlannedResource } from '../plan/types';

const VM_TYPE = 'microsoft.compute/virtualmachines';

/**
 * The spec's cloud-init a VM is built with. The rest of its custom data is the Kubernetes bootstrap,
 * which legitimately differs between runs (a replacement `-cp-0` joins instead of initialising) and
 * whose settings are guarded by immutableSettings.ts.
 */
function customDataOf(resource: PlannedResource): string | undefined {
  const properties = resource.body['properties'] as { osProfile?: { customData?: unknown } } | undefined;
  const data = properties?.osProfile?.customData;
  return userCloudInitOf(typeof data === 'string' ? data : undefined);
}

/** The refusal message, or undefined when every existing node keeps the cloud-init it was built with. */
export function cloudInitChangeError(
  mayExist: readonly PlannedResource[],
  plan: Plan,
  poolNames: readonly string[],
): string | undefined {
  const before = new Map(
    mayExist.filter((r) => r.type.toLowerCase() === VM_TYPE).map((r) => [r.id.toLowerCase(), r] as const),
  );
  const changed = new Map<string, string[]>();
  for (const vm of plan.resources) {
    if (vm.type.toLowerCase() !== VM_TYPE) continue;
    const old = before.get(vm.id.toLowerCase());
    if (!old || customDataOf(old) === customDataOf(vm)) continue;
    const pool = vm.pool ?? old.pool ?? 'controlPlane';
    changed.set(pool, [...(changed.get(pool) ?? []), vm.name]);
  }
  const [first] = changed;
  if (!first) return undefined;
  const [pool, nodes] = first;
  const index = poolNames.indexOf(pool);
  const field =
    pool === 'controlPlane' || index < 0 ? 'controlPlane.cloudInit' : `nodePools[${index}].cloudInit`;
  const shown =
    nodes.length > 3 ? `${nodes.slice(0, 3).join(', ')} and ${nodes.length - 3} more` : nodes.join(', ');
  return (
    `${field} changed, but cloud-init runs only when a node is created: ${nodes.length} existing node(s) ` +
    `(${shown}) would keep the old one. Restore the previous ${field}, or give the changed pool a new ` +
    'name (its nodes are then created with the new cloud-init and the old pool removed)'
  );
}
