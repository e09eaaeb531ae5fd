/**
 * What the management API (management.ts) needs from the durable engine. The engine implements it; the
 * management API renders HTTP answers from it, and the engine renders none.
 */
import { type HistoryEvent } from './historyEvents';
import { type EntityRow, type InstanceQuery, type InstanceRow } from './store';

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input ('' or undefined for none). */
  input?: string;
}

export type ControlOperation = 'Terminate' | 'Suspend' | 'Resume';

export interface DurableManagementApi {
  /** Schedules a new orchestration and returns its instance id. */
  startNew(name: string, options?: StartOptions): string;
  getInstance(instanceId: string): InstanceRow | undefined;
  getHistory(instanceId: string): HistoryEvent[];
  queryInstances(query: InstanceQuery): InstanceRow[];
  /** Delivers an external event (JSON text) to a running instance. */
  raiseEvent(instanceId: string, eventName: string, data: string): void;
  control(instanceId: string, type: ControlOperation, reason: string): void;
  rewind(instanceId: string, reason: string): void;
  /** Deletes one instance; returns how many were deleted (0 or 1). */
  purge(instanceId: string): number;
  /** Deletes the instances the query selects (finished ones when it names no status). */
  purgeBy(query: InstanceQuery): number;
  signalEntity(name: string, key: string, operation: string, input: string | undefined): void;
  /** The entity's row, or undefined when it does not exist. */
  readEntity(name: string, key: string): EntityRow | undefined;
}

/** Where the check-status URLs point: the task hub and the key they carry. */
export interface ManagementUrls {
  taskHubName: string;
  managementKey?: string;
}
