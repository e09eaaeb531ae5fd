/**
 * The user's view of a cluster, built from the durable status of its instance (`cluster-<name>`):
 * custom status set by the orchestrators, plus what the runtime knows (failed, created/updated times).
 */
import type { DurableOrchestrationStatus } from 'durable-functions';

import { parseArmErrorMessage } from '../../resources/errors';
import type { ClusterCustomStatus, ClusterStatusView } from './clusterStatus';
import { type ClusterOperationInput, DurableFunctions } from './durableFunctions';

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function operationInputOf(status: DurableOrchestrationStatus): ClusterOperationInput | undefined {
  const input = parseMaybeJson(status.input);
  if (typeof input !== 'object' || input === null || !('plan' in input)) return undefined;
  return input as ClusterOperationInput;
}

function customStatusOf(status: { customStatus?: unknown }): Partial<ClusterCustomStatus> {
  const s = parseMaybeJson(status.customStatus);
  return typeof s === 'object' && s !== null ? s : {};
}

function iso(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

/** The user's view of a cluster from its orchestration status. */
export function clusterView(name: string, status: DurableOrchestrationStatus): ClusterStatusView {
  const custom = customStatusOf(status);
  const input = operationInputOf(status);
  const runtimeStatus = String(status.runtimeStatus);
  const view: ClusterStatusView = {
    name,
    instanceId: status.instanceId,
    runtimeStatus,
    ...custom,
  };
  if (input) {
    view.resourceGroup = input.plan.cluster.resourceGroup;
    view.location = input.plan.cluster.location;
    view.operation ??= status.name === DurableFunctions.deleteCluster ? 'delete' : 'provision';
  }
  const created = iso(status.createdTime);
  const updated = iso(status.lastUpdatedTime);
  if (created) view.createdTime = created;
  if (updated) view.lastUpdatedTime = updated;
  // A failure the orchestrator could not put in its custom status (e.g. a crash) is still reported.
  if (runtimeStatus === 'Failed') {
    if (view.phase !== 'Failed' && view.phase !== 'DeleteFailed') {
      view.phase = view.operation === 'delete' ? 'DeleteFailed' : 'Failed';
    }
    if (!view.error) {
      const text = typeof status.output === 'string' ? status.output : JSON.stringify(status.output ?? '');
      const parsed = parseArmErrorMessage(text);
      view.error = parsed ?? {
        resource: '',
        code: 'OrchestrationFailed',
        message: text.split('\n')[0] ?? text,
      };
    }
  }
  return view;
}

export function isDeleted(view: ClusterStatusView): boolean {
  return view.operation === 'delete' && view.phase === 'Deleted';
}
