import type { JsonObject } from '../json';
import type { DeletedVault } from '../keyVault/deletedVaults';

/** A stored resource: the body exactly as last PUT (minus read-only fields) plus what ARM derives. */
export interface ResourceRecord {
  seq: number;
  id: string;
  key: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  parentKey?: string;
  body: JsonObject;
  provisioningState: string;
  etag: string;
  /** Read-only values ARM assigns once and keeps (guids, allocated addresses). */
  derived: JsonObject;
  pendingOp?: string;
}

export interface ResourceGroupRecord {
  seq: number;
  id: string;
  key: string;
  subscriptionId: string;
  name: string;
  location: string;
  body: JsonObject;
  provisioningState: string;
  pendingOp?: string;
}

/** A long-running operation, polled through its Azure-AsyncOperation or Location URL. */
export interface LroRecord {
  id: string;
  kind: 'write' | 'delete';
  /** How the initial response told the client to poll. */
  pollVia: 'azure-async-operation' | 'location';
  targetKey: string;
  targetId: string;
  targetType: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  startedAt: number;
  completesAt: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  endedAt?: number;
  error?: { code: string; message: string };
  failure?: { code: string; message: string };
  correlationId: string;
}

export interface StoreSnapshot {
  version: 1;
  seq: number;
  publicIpCounter: number;
  resourceGroups: ResourceGroupRecord[];
  resources: ResourceRecord[];
  operations: LroRecord[];
  /** Soft-deleted key vaults (absent in files saved before they were modelled). */
  deletedVaults?: DeletedVault[];
}

export interface WriteResult {
  status: number;
  body: JsonObject;
  operation?: LroRecord;
}
