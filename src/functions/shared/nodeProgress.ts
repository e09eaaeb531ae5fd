/**
 * Live per-zone node progress. A zone's nodes are created in one fan-out, so its orchestrator only
 * resumes when all of them are done; to show nodes becoming ready one by one, the activity that
 * finishes a node signals the cluster's `clusterProgress` entity, and the status API reads it.
 * Progress of an older run is ignored (`runId` = the run's `requestedAt`).
 */

export const NODE_PROGRESS_ENTITY = 'clusterProgress';

export type NodeProgressOperation =
  | { op: 'start'; input: { runId: string } }
  | { op: 'nodeReady'; input: { runId: string; zone: string; node: string } };

export interface NodeProgressState {
  runId: string;
  /** Nodes ready per zone (names, so a repeated signal after a crash counts once). */
  ready: Record<string, string[]>;
}

/** Applies one operation to the state (pure; the entity function is a thin wrapper). */
export function applyNodeProgress(
  state: NodeProgressState | undefined,
  operation: NodeProgressOperation,
): NodeProgressState {
  if (operation.op === 'start') return { runId: operation.input.runId, ready: {} };
  const { runId, zone, node } = operation.input;
  if (!state || state.runId !== runId) return state ?? { runId, ready: { [zone]: [node] } };
  const nodes = state.ready[zone] ?? [];
  return nodes.includes(node) ? state : { ...state, ready: { ...state.ready, [zone]: [...nodes, node] } };
}

/** Where an activity reports a finished node. */
export interface NodeProgressTarget {
  clusterName: string;
  runId: string;
  zone: string;
}
