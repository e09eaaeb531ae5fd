/**
 * What `GET /api/clusters/{name}` shows about a pool's scaling: desired and actual nodes per zone
 * (desired per zone is where the next step would leave the nodes), whether a scale operation runs,
 * the last decision with its reason, and the cooldown if one holds a scale-in.
 */
import { spreadAcrossZones } from '../aksStatus';
import type { AgentPoolSize, NodePoolState, ScalingDecision } from './nodePoolState';
import { nodesPerZone, planScaleStep } from './planScaleStep';

/** Settings the scaling reads; `SCALE_IN_COOLDOWN_SECONDS` (default 300, 0 disables). */
export const DEFAULT_SCALE_IN_COOLDOWN_SECONDS = 300;

export class ScalingSettingError extends Error {
  override readonly name = 'ScalingSettingError';
}

export function scaleInCooldownSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['SCALE_IN_COOLDOWN_SECONDS']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_SCALE_IN_COOLDOWN_SECONDS;
  if (!/^\d+$/.test(raw) || Number(raw) > 86_400) {
    throw new ScalingSettingError(
      `SCALE_IN_COOLDOWN_SECONDS must be a whole number of seconds from 0 to 86400 (got "${raw.slice(0, 40)}")`,
    );
  }
  return Number(raw);
}

export interface PoolScalingView {
  minCount: number;
  maxCount: number;
  desired: number;
  actual: number;
  /** Per zone (`"none"` for a regional pool): desired and actual nodes. */
  zones: Record<string, { desired: number; actual: number }>;
  scaling: boolean;
  /**
   * AKS pools: the agent pool as AKS reports it (read live when the status is asked for). `desired`
   * is then the count (`enableAutoScaling: false`) or the autoscaler floor `minCount`; `actual` is
   * `count`, spread over the zones the way AKS balances a pool.
   */
  agentPool?: { enableAutoScaling: boolean; count: number; minCount?: number; maxCount?: number };
  scaleInNotBefore?: string;
  lastDecision?: ScalingDecision;
  lastIgnored?: ScalingDecision;
  lastError?: { at: string; message: string };
}

export function poolScalingView(state: NodePoolState): PoolScalingView {
  if (state.agentPool) return agentPoolScalingView(state, state.agentPool);
  const target = planScaleStep({
    clusterName: state.clusterName,
    pool: state.pool,
    zones: state.zones,
    nodes: state.nodes,
    target: state.desired,
    removableNodes: state.removableNodes,
  }).nodes;
  const actual = nodesPerZone(state.nodes);
  const desired = nodesPerZone(target);
  const keys = new Set([...(state.zones.length > 0 ? state.zones : ['']), ...Object.keys(actual)]);
  const zones: PoolScalingView['zones'] = {};
  for (const key of [...keys].sort()) {
    zones[key === '' ? 'none' : key] = { desired: desired[key] ?? 0, actual: actual[key] ?? 0 };
  }
  return {
    minCount: state.minCount,
    maxCount: state.maxCount,
    desired: state.desired,
    actual: state.nodes.length,
    zones,
    scaling: state.running !== undefined,
    ...(state.scaleInNotBefore !== undefined ? { scaleInNotBefore: state.scaleInNotBefore } : {}),
    ...(state.lastDecision ? { lastDecision: state.lastDecision } : {}),
    ...(state.lastIgnored ? { lastIgnored: state.lastIgnored } : {}),
    ...(state.lastError ? { lastError: state.lastError } : {}),
  };
}

function agentPoolScalingView(state: NodePoolState, pool: AgentPoolSize): PoolScalingView {
  const desired = spreadAcrossZones(state.desired, state.zones);
  const actual = spreadAcrossZones(pool.count, state.zones);
  const zones: PoolScalingView['zones'] = {};
  for (const key of Object.keys(actual).sort()) {
    zones[key] = { desired: desired[key] ?? 0, actual: actual[key] ?? 0 };
  }
  return {
    minCount: state.minCount,
    maxCount: state.maxCount,
    desired: state.desired,
    actual: pool.count,
    zones,
    scaling: state.running !== undefined,
    agentPool: {
      enableAutoScaling: pool.autoscaled,
      count: pool.count,
      ...(pool.minCount !== undefined ? { minCount: pool.minCount } : {}),
      ...(pool.maxCount !== undefined ? { maxCount: pool.maxCount } : {}),
    },
    ...(state.scaleInNotBefore !== undefined ? { scaleInNotBefore: state.scaleInNotBefore } : {}),
    ...(state.lastDecision ? { lastDecision: state.lastDecision } : {}),
    ...(state.lastIgnored ? { lastIgnored: state.lastIgnored } : {}),
    ...(state.lastError ? { lastError: state.lastError } : {}),
  };
}
