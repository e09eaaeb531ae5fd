/**
 * Scaling an AKS pool is writing its agent pool's size, never touching nodes (AKS names, places and
 * heals them). Pure: what the planned agent pool says, what one scale decision writes, and whether
 * the live pool already is that.
 *
 * - The provisioner owns the size (`enableAutoScaling: false`): the decision is the pool's `count`.
 * - AKS's cluster autoscaler owns it (`enableAutoScaling: true`): the decision is the autoscaler's
 *   floor, `minCount` (demand raises it so the autoscaler keeps at least that many nodes; less demand
 *   lowers it, at least to the spec's minCount, so the autoscaler may remove nodes); `maxCount` stays
 *   the spec's. The body carries no `count`: AKS refuses a manual count on such a pool, and moves the
 *   count into a new window itself.
 */
import type { JsonObject, PlannedResource } from '../plan/types';
import type { AgentPoolSize } from './nodePoolState';

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function propertiesOf(body: JsonObject): JsonObject {
  const props = body['properties'];
  return typeof props === 'object' && props !== null && !Array.isArray(props) ? props : {};
}

/** An agent pool body's size (planned, written or read); the count defaults to the floor. */
export function agentPoolSizeOf(body: JsonObject): AgentPoolSize {
  // A wire body (nested `properties`) or an SDK model (flattened).
  const props = { ...body, ...propertiesOf(body) };
  const autoscaled = props['enableAutoScaling'] === true;
  const minCount = num(props['minCount']);
  const maxCount = num(props['maxCount']);
  return {
    autoscaled,
    count: num(props['count']) ?? minCount ?? 0,
    ...(autoscaled && minCount !== undefined ? { minCount } : {}),
    ...(autoscaled && maxCount !== undefined ? { maxCount } : {}),
  };
}

/** The planned agent pool of `pool`, if the plan has one (AKS clusters). */
export function plannedAgentPool(
  resources: readonly PlannedResource[],
  pool: string,
): PlannedResource | undefined {
  const suffix = `/agentpools/${pool.toLowerCase()}`;
  return resources.find((r) => r.role === 'agentPool' && r.id.toLowerCase().endsWith(suffix));
}

/**
 * The agent pool body that gives the pool `target` (the count, or the autoscaler's floor), from the
 * planned body: everything else stays as the spec says.
 */
export function agentPoolBodyFor(planned: JsonObject, target: number): JsonObject {
  const props = { ...propertiesOf(planned) };
  if (props['enableAutoScaling'] === true) {
    delete props['count'];
    props['minCount'] = target;
  } else {
    props['count'] = target;
  }
  return { ...planned, properties: props };
}

/** Whether the live pool already has what `body` would write (then nothing is written). */
export function hasSize(live: JsonObject, body: JsonObject): boolean {
  const want = agentPoolSizeOf(body);
  const have = agentPoolSizeOf(live);
  if (want.autoscaled !== have.autoscaled) return false;
  return want.autoscaled
    ? want.minCount === have.minCount && want.maxCount === have.maxCount
    : want.count === have.count;
}
