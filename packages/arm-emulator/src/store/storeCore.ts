import { randomUUID } from 'node:crypto';

import type { AllocationFailures } from '../allocationFailures';
import { badRequest } from '../armError';
import { resourceGroupKey } from '../armTypes';
import type { EventGridEvent } from '../eventPublisher';
import { asString, type JsonObject } from '../json';
import { deletedVaultOf, VAULT_TYPE } from '../keyVault/deletedVaults';
import type { LatencyModel } from '../latencyModel';
import { providerOf } from '../providers';
import { resourceGroups } from '../providers/resources/resourceGroups';
import { normalizeLocation } from '../regions';
import { Operations } from './operations';
import type { LroRecord, ResourceGroupRecord, ResourceRecord } from './records';
import { resourceEvent } from './resourceEvents';
import { ResourceRecords } from './resourceRecords';
import { checkLocation, checkNotBusy, resourceGroupNotFound } from './rules';

export interface ArmStoreOptions {
  latency: LatencyModel;
  vcpuQuotaPerRegion: number;
  /** Runs `fn` after `ms`; the emulator owns the timers so it can cancel them on close/reset. */
  schedule: (ms: number, fn: () => void) => void;
  onEvent: (event: EventGridEvent) => void;
  onChange: () => void;
  /** Zones and sizes without capacity (VM creates). */
  allocation?: Pick<AllocationFailures, 'check'>;
}

export type Failure = { code: string; message: string };

/**
 * What ArmStore and its feature modules (resource groups, scale set members, run commands,
 * soft-deleted vaults) share: the state they read and write, and the operation lifecycle
 * (start, schedule, complete with events and saves). Owned by one ArmStore.
 */
export class StoreCore {
  readonly groups = new Map<string, ResourceGroupRecord>();
  readonly state = new ResourceRecords(() => this.options.vcpuQuotaPerRegion);
  readonly operations = new Operations();
  /**
   * VMs' custom data, by record key. ARM never returns it on GET (the SDK path keeps that true) and
   * the state file never holds it: memory only, for tests (`GET /_emulator/custom-data/<vm id>`).
   */
  readonly customData = new Map<string, string>();

  constructor(readonly options: ArmStoreOptions) {}

  /** Finishes every operation whose time has come (timers may fire a little late). */
  settle(): void {
    for (const op of this.operations.due(Date.now())) this.complete(op, true);
  }

  // ---------------------------------------------------------------- operations

  startOperation(
    kind: 'write' | 'delete',
    targetKey: string,
    targetId: string,
    targetType: string,
    group: ResourceGroupRecord,
    location: string,
    failure: Failure | undefined,
    instant = false,
  ): LroRecord {
    const poll = targetType === resourceGroups.type ? undefined : providerOf(targetType).poll?.[kind];
    const draw = instant ? undefined : this.options.latency.draw(targetType, kind, targetId);
    const op = this.operations.start({
      kind,
      pollVia: poll ?? (kind === 'delete' ? 'location' : 'azure-async-operation'),
      targetKey,
      targetId,
      targetType,
      subscriptionId: group.subscriptionId,
      resourceGroup: group.name,
      location,
      durationMs: draw?.durationMs ?? 0,
      failure,
    });
    if (draw) draw.operationId = op.id;
    return op;
  }

  scheduleCompletion(op: LroRecord): void {
    const delay = op.completesAt - Date.now();
    if (delay <= 0) {
      this.complete(op, true);
    } else {
      this.options.schedule(delay, () => this.settle());
    }
    this.options.onChange();
  }

  complete(op: LroRecord, emitEvents: boolean): void {
    if (!this.operations.finish(op)) return;
    const touched = [...this.state.records.values()].filter((r) => r.pendingOp === op.id);
    const group = [...this.groups.values()].find((g) => g.pendingOp === op.id);
    const target = this.state.records.get(op.targetKey);
    if (target && emitEvents) {
      this.emitServiceEvents(target, { kind: op.kind, phase: op.failure ? 'failed' : 'succeeded' });
    }
    if (op.failure) {
      op.status = 'Failed';
      op.error = op.failure;
      for (const r of touched) {
        r.pendingOp = undefined;
        r.provisioningState = 'Failed';
      }
      if (group) {
        group.pendingOp = undefined;
        group.provisioningState = 'Succeeded';
      }
    } else {
      op.status = 'Succeeded';
      if (op.kind === 'delete') {
        // Children written while the delete ran (a vault's secrets, say) go with their parent too.
        const remove = (r: ResourceRecord): void => {
          for (const child of this.state.childrenOf(r)) remove(child);
          // Key Vault keeps a deleted vault (soft delete is always on) and reserves its name.
          if (r.type === VAULT_TYPE) {
            this.state.deletedVaults.add(deletedVaultOf(r, this.state.recordLocation(r), Date.now()));
          }
          this.state.removeRecord(r.key);
        };
        for (const r of touched) remove(r);
        if (group) this.groups.delete(group.key);
      } else {
        for (const r of touched) {
          r.pendingOp = undefined;
          r.provisioningState = 'Succeeded';
        }
      }
      if (emitEvents) {
        this.options.onEvent(
          resourceEvent(
            op.kind,
            op.targetId,
            op.targetType,
            op.subscriptionId,
            op.resourceGroup,
            op.correlationId,
          ),
        );
      }
    }
    this.options.onChange();
  }

  /** The provider's service events (AKS's node pool rolling, new version available) for this moment. */
  emitServiceEvents(
    record: ResourceRecord,
    moment: { kind: 'write' | 'delete'; phase: 'started' | 'succeeded' | 'failed' },
  ): void {
    const provider = providerOf(record.type);
    for (const e of provider.events?.(this.state, record, moment) ?? []) {
      this.options.onEvent({
        id: randomUUID(),
        topic: e.topic,
        subject: e.subject,
        eventType: e.eventType,
        eventTime: new Date().toISOString(),
        data: e.data,
        dataVersion: '1',
        metadataVersion: '1',
      });
    }
  }

  // ---------------------------------------------------------------- shared rules

  requireGroup(subscriptionId: string, name: string): ResourceGroupRecord {
    const group = this.groups.get(resourceGroupKey(subscriptionId, name));
    if (!group) throw resourceGroupNotFound(name);
    return group;
  }

  inGroup(record: ResourceRecord, group: ResourceGroupRecord): boolean {
    return resourceGroupKey(record.subscriptionId, record.resourceGroup) === group.key;
  }

  locationFor(type: string, body: JsonObject, parent: ResourceRecord | undefined, id: string): string {
    if (parent) return this.state.recordLocation(parent);
    const location = asString(body.location);
    if (location === undefined) {
      throw badRequest('LocationRequired', `The location property is required for resource '${id}'.`);
    }
    // Some types live outside regions (a resource group's Event Grid system topic is in 'global').
    if (location.toLowerCase() === 'global' && providerOf(type).globalLocation === true) return 'global';
    checkLocation(location, type);
    return normalizeLocation(location);
  }

  checkNotBusy(
    existing: ResourceRecord | undefined,
    parent: ResourceRecord | undefined,
    type: string,
    id: string,
  ): void {
    checkNotBusy(
      existing,
      parent,
      type,
      id,
      (r) => this.state.childrenOf(r),
      (opId) => this.operations.get(opId),
      providerOf(type).siblingsMayRun === true,
    );
  }
}
