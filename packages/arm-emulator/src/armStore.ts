import { badRequest, conflict } from './armError';
import {
  ArmTypes,
  keyOf,
  parentAddressOf,
  type ResourceAddress,
  resourceGroupKey,
  resourceIdOf,
} from './armTypes';
import { asObject, asString, clone, type JsonObject } from './json';
import { parentTypeOf, providerOf } from './providers';
import { checkProtectedParameters, RUN_COMMAND_TYPE } from './providers/compute/runCommands';
import { liveMembers } from './providers/compute/virtualMachineScaleSets';
import type { ApplyWrite } from './providers/provider';
import { resourceGroups } from './providers/resources/resourceGroups';
import { normalizeLocation } from './regions';
import { getDeletedVault, listDeletedVaults, purgeDeletedVault } from './store/deletedVaultStore';
import { mergePatch } from './store/mergePatch';
import type { Operations } from './store/operations';
import type {
  LroRecord,
  ResourceGroupRecord,
  ResourceRecord,
  StoreSnapshot,
  WriteResult,
} from './store/records';
import {
  deleteGroup,
  getGroup,
  hasGroup,
  listGroups,
  putGroup,
  seedResourceGroup,
} from './store/resourceGroupOps';
import type { ResourceRecords } from './store/resourceRecords';
import { checkResourceName, newEtag, resourceNotFound, stripReadOnly } from './store/rules';
import { type RunCommandExecution, RunCommandLog, withInstanceView } from './store/runCommandLog';
import {
  deleteScaleSetInstances,
  markMemberDeletes,
  planScaleSet,
  startScaleSetWrite,
} from './store/scaleSetMembers';
import { type ArmStoreOptions, type Failure, StoreCore } from './store/storeCore';

export { BASIC_SKU_ZONES_CODE } from './providers/shared';
export type {
  LroRecord,
  ResourceGroupRecord,
  ResourceRecord,
  StoreSnapshot,
  WriteResult,
} from './store/records';
export type { RunCommandExecution, RunCommandParameter } from './store/runCommandLog';
export type { ArmStoreOptions } from './store/storeCore';

/**
 * The emulator's state: records, long-running operations and snapshots. What each resource type
 * means (validation, references, rendering) lives in its provider (`providers/`). Every method runs
 * synchronously on Node's single thread, so concurrent requests can never interleave inside a
 * validation and its write.
 */
export class ArmStore {
  /** State and operation lifecycle shared with the feature modules under `store/`. */
  private readonly core: StoreCore;
  private readonly groups: Map<string, ResourceGroupRecord>;
  private readonly state: ResourceRecords;
  private readonly operations: Operations;
  private readonly customData: Map<string, string>;
  /** Run command executions, protected parameters included (see `RunCommandExecution`). */
  private readonly runCommands = new RunCommandLog();

  constructor(private readonly options: ArmStoreOptions) {
    this.core = new StoreCore(options);
    this.groups = this.core.groups;
    this.state = this.core.state;
    this.operations = this.core.operations;
    this.customData = this.core.customData;
  }

  /** The emulator's URL once it listens: data-plane URLs (a vault's vaultUri) are built on it. */
  setBaseUrl(url: string): void {
    this.state.url = url;
  }

  /** A resource record by type and name in any subscription (Key Vault names are global). */
  findByName(type: string, name: string): ResourceRecord | undefined {
    this.settle();
    for (const record of this.state.records.values()) {
      if (record.type === type && record.name.toLowerCase() === name.toLowerCase()) return record;
    }
    return undefined;
  }

  /** The custom data a VM was last written with (decoded from base64), or undefined. */
  customDataOf(id: string): string | undefined {
    const key = keyOf(id);
    const record = this.state.records.get(key);
    if (!record || record.type !== ArmTypes.vm) {
      this.customData.delete(key);
      return undefined;
    }
    const encoded = this.customData.get(key);
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  }

  /** Every run command executed (oldest first), with its protected parameters; test-only. */
  runCommandExecutions(): RunCommandExecution[] {
    return this.runCommands.list();
  }

  setVcpuQuota(vcpus: number): void {
    this.options.vcpuQuotaPerRegion = vcpus;
  }

  get vcpuQuota(): number {
    return this.options.vcpuQuotaPerRegion;
  }

  // ---------------------------------------------------------------- state

  snapshot(): StoreSnapshot {
    return {
      version: 1,
      seq: this.state.seq,
      publicIpCounter: this.state.publicIpCounter,
      resourceGroups: [...this.groups.values()],
      resources: [...this.state.records.values()],
      operations: this.operations.values(),
      deletedVaults: this.state.deletedVaults.values(),
    };
  }

  /**
   * Loads a snapshot. Operations that were running when it was saved resume: each finishes at its
   * time (at once when that has passed), with its events, as if the process had never stopped.
   */
  restore(snapshot: StoreSnapshot): void {
    this.clear();
    this.state.seq = snapshot.seq;
    this.state.publicIpCounter = snapshot.publicIpCounter;
    for (const g of snapshot.resourceGroups) this.groups.set(g.key, g);
    for (const r of snapshot.resources) this.state.setRecord(r);
    for (const op of snapshot.operations) this.operations.add(op);
    this.state.deletedVaults.restore(snapshot.deletedVaults);
    for (const op of this.operations.due(Number.POSITIVE_INFINITY)) this.core.scheduleCompletion(op);
  }

  clear(): void {
    this.customData.clear();
    this.runCommands.clear();
    this.groups.clear();
    this.state.clear();
    this.operations.clear();
  }

  /** Finishes every operation whose time has come (timers may fire a little late). */
  settle(): void {
    this.core.settle();
  }

  allResources(): JsonObject[] {
    this.settle();
    return [
      ...[...this.groups.values()].map((g) => resourceGroups.render(g)),
      ...[...this.state.records.values()].sort((a, b) => a.seq - b.seq).map((r) => this.state.render(r)),
    ];
  }

  // ---------------------------------------------------------------- resource groups

  seedResourceGroup(subscriptionId: string, name: string, location: string): void {
    seedResourceGroup(this.core, subscriptionId, name, location);
  }

  getGroup(subscriptionId: string, name: string): JsonObject {
    return getGroup(this.core, subscriptionId, name);
  }

  hasGroup(subscriptionId: string, name: string): boolean {
    return hasGroup(this.core, subscriptionId, name);
  }

  listGroups(subscriptionId: string): JsonObject[] {
    return listGroups(this.core, subscriptionId);
  }

  putGroup(subscriptionId: string, name: string, input: JsonObject, patch: boolean): WriteResult {
    return putGroup(this.core, subscriptionId, name, input, patch);
  }

  deleteGroup(subscriptionId: string, name: string, failure?: Failure): WriteResult {
    return deleteGroup(this.core, subscriptionId, name, failure);
  }

  // ---------------------------------------------------------------- resources: reads

  /** A resource as ARM returns it; `expand: 'instanceView'` adds a run command's instance view. */
  get(address: ResourceAddress, options: { expand?: string } = {}): JsonObject {
    this.settle();
    this.core.requireGroup(address.subscriptionId, address.resourceGroup);
    const record = this.state.records.get(keyOf(resourceIdOf(address)));
    if (!record) throw resourceNotFound(address);
    return this.renderExpanded(record, options.expand);
  }

  private renderExpanded(record: ResourceRecord, expand: string | undefined): JsonObject {
    return withInstanceView(this.state.render(record), record, expand, this.operations);
  }

  /** Resources of `type` in a resource group, a subscription, or under a parent resource. */
  list(
    subscriptionId: string,
    type: string,
    resourceGroup?: string,
    parentNames?: string[],
    options: { expand?: string } = {},
  ): JsonObject[] {
    this.settle();
    let parentKey: string | undefined;
    if (resourceGroup !== undefined) {
      this.core.requireGroup(subscriptionId, resourceGroup);
      const parentType = parentTypeOf(type);
      if (parentType && parentNames) {
        const parentAddress = parentAddressOf(
          { subscriptionId, resourceGroup, type, names: [...parentNames, ''] },
          parentType,
        );
        parentKey = keyOf(resourceIdOf(parentAddress));
        if (!this.state.records.has(parentKey)) throw resourceNotFound(parentAddress);
      }
    }
    const rgKey = resourceGroup !== undefined ? resourceGroupKey(subscriptionId, resourceGroup) : undefined;
    return [...this.state.records.values()]
      .filter(
        (r) =>
          r.type === type &&
          r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
          (rgKey === undefined || resourceGroupKey(r.subscriptionId, r.resourceGroup) === rgKey) &&
          (parentKey === undefined || r.parentKey === parentKey),
      )
      .sort((a, b) => a.seq - b.seq)
      .map((r) => this.renderExpanded(r, options.expand));
  }

  /** Generic view used by `resources.listByResourceGroup`. */
  listGeneric(subscriptionId: string, resourceGroup: string): JsonObject[] {
    this.settle();
    const group = this.core.requireGroup(subscriptionId, resourceGroup);
    return [...this.state.records.values()]
      .filter((r) => this.core.inGroup(r, group) && !r.parentKey)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => {
        const out: JsonObject = { id: r.id, name: r.name, type: r.type };
        const location = asString(r.body.location);
        if (location !== undefined) out.location = location;
        if (r.body.tags !== undefined) out.tags = r.body.tags;
        return out;
      });
  }

  getOperation(id: string): LroRecord | undefined {
    this.settle();
    return this.operations.get(id);
  }

  getRecord(key: string): ResourceRecord | undefined {
    return this.state.records.get(key);
  }

  /** Every record of `type` (canonical spelling), oldest first. */
  recordsOfType(type: string): ResourceRecord[] {
    this.settle();
    return [...this.state.records.values()].filter((r) => r.type === type).sort((a, b) => a.seq - b.seq);
  }

  /** Every record whose ARM type is `armType` at any scope (role assignments), oldest first. */
  recordsOfArmType(armType: string): ResourceRecord[] {
    this.settle();
    const wanted = armType.toLowerCase();
    return [...this.state.records.values()]
      .filter((r) => (providerOf(r.type).armType ?? r.type).toLowerCase() === wanted)
      .sort((a, b) => a.seq - b.seq);
  }

  /** A record by its resource id (any case). */
  findById(id: string): ResourceRecord | undefined {
    this.settle();
    return this.state.records.get(keyOf(id));
  }

  /**
   * Merges `values` into a record's derived data: state a service keeps beside the resource (a
   * Function App's deployed package and host keys), saved with the snapshot.
   */
  annotate(key: string, values: JsonObject): void {
    const record = this.state.records.get(key);
    if (!record) return;
    Object.assign(record.derived, values);
    this.options.onChange();
  }

  /** The resource as ARM returns it. */
  render(record: ResourceRecord): JsonObject {
    return this.state.render(record);
  }

  // ---------------------------------------------------------------- resources: writes

  put(
    address: ResourceAddress,
    input: unknown,
    options: { patch?: boolean; instant?: boolean; failure?: Failure } = {},
  ): WriteResult {
    this.settle();
    const provider = providerOf(address.type);
    const group = this.core.requireGroup(address.subscriptionId, address.resourceGroup);
    const id = resourceIdOf({ ...address, resourceGroup: group.name });
    const key = keyOf(id);
    const parentType = parentTypeOf(address.type);
    let parent: ResourceRecord | undefined;
    if (parentType) {
      const parentAddress = parentAddressOf(address, parentType);
      parent = this.state.records.get(keyOf(resourceIdOf(parentAddress)));
      if (!parent) throw resourceNotFound(parentAddress);
    }
    const existing = this.state.records.get(key);
    const requestBody = asObject(input);
    if (!requestBody) {
      throw badRequest('InvalidRequestContent', `The request content for '${id}' must be a JSON object.`);
    }
    if (options.patch && !existing) throw resourceNotFound(address);
    const name = existing?.name ?? address.names[address.names.length - 1] ?? '';
    if (!existing) checkResourceName(provider, name);
    this.core.checkNotBusy(existing, parent, address.type, id);

    if (provider.type === RUN_COMMAND_TYPE) checkProtectedParameters(requestBody);
    const stripped = stripReadOnly(provider, clone(requestBody));
    const body = options.patch && existing ? mergePatch(clone(existing.body), stripped) : stripped;

    const location =
      provider.locationless && !parent
        ? group.location
        : this.core.locationFor(address.type, body, parent, id);
    if (existing && !parent) {
      const before = asString(existing.body.location);
      if (before !== undefined && normalizeLocation(before) !== location) {
        throw conflict(
          'InvalidResourceLocation',
          `The resource '${existing.name}' already exists in location '${normalizeLocation(before)}' in resource group '${group.name}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
        );
      }
    }
    const record: ResourceRecord = existing
      ? { ...existing, body, derived: clone(existing.derived) }
      : {
          seq: 0,
          id,
          key,
          type: provider.type,
          subscriptionId: address.subscriptionId,
          resourceGroup: group.name,
          name,
          ...(parent ? { parentKey: parent.key } : {}),
          body,
          provisioningState: 'Creating',
          etag: newEtag(),
          derived: {},
        };

    // Type rules: validate against the current state, then describe the change to apply.
    const apply: ApplyWrite | undefined = provider.prepare?.(this.state, record, existing, parent, location);
    // Capacity (VM creates): refused now (SkuNotAvailable) or an operation that will fail.
    const allocation = this.options.allocation?.check(record, existing, location);
    if (allocation?.kind === 'sync') throw allocation.error;
    const failure = options.failure ?? (allocation?.kind === 'lro' ? allocation.failure : undefined);
    // A scale set's members: planned (and refused, SkuNotAvailable) before anything changes.
    const change =
      provider.type === ArmTypes.vmss ? planScaleSet(this.core, record, existing, location) : undefined;

    const op = this.core.startOperation(
      'write',
      key,
      id,
      provider.type,
      group,
      location,
      failure,
      options.instant === true || change !== undefined,
    );
    if (!existing) record.seq = this.state.nextSeq();
    const customData = asString(asObject(asObject(requestBody.properties)?.osProfile)?.customData);
    if (provider.type === ArmTypes.vm && customData !== undefined) this.customData.set(key, customData);
    if (provider.type === RUN_COMMAND_TYPE) this.runCommands.start(record, requestBody, op, parent);
    record.provisioningState = existing ? 'Updating' : 'Creating';
    record.etag = newEtag();
    record.pendingOp = op.id;
    this.state.setRecord(record);
    apply?.(op);
    if (change)
      startScaleSetWrite(
        this.core,
        record,
        requestBody,
        op,
        change,
        group,
        location,
        options.instant === true,
      );
    this.core.emitServiceEvents(record, { kind: 'write', phase: 'started' });
    this.core.scheduleCompletion(op);
    return { status: existing ? 200 : 201, body: this.state.render(record), operation: op };
  }

  delete(address: ResourceAddress, options: { instant?: boolean; failure?: Failure } = {}): WriteResult {
    this.settle();
    const group = this.core.requireGroup(address.subscriptionId, address.resourceGroup);
    const key = keyOf(resourceIdOf(address));
    const record = this.state.records.get(key);
    if (!record) return { status: 204, body: {} };
    if (record.provisioningState === 'Deleting' && record.pendingOp) {
      const op = this.operations.get(record.pendingOp);
      if (op) return { status: 202, body: {}, operation: op };
    }
    const parent = record.parentKey ? this.state.records.get(record.parentKey) : undefined;
    this.core.checkNotBusy(record, parent, record.type, record.id);
    this.state.checkDeletable(record);
    const location = this.state.recordLocation(record);
    const isScaleSet = record.type === ArmTypes.vmss;
    const members = isScaleSet ? liveMembers(this.state, record) : [];
    const op = this.core.startOperation(
      'delete',
      key,
      record.id,
      record.type,
      group,
      location,
      options.failure,
      options.instant === true || members.length > 0,
    );
    for (const r of [record, ...this.state.childrenOf(record)]) {
      r.pendingOp = op.id;
      r.provisioningState = 'Deleting';
    }
    markMemberDeletes(this.core, record, members, op, options.instant === true);
    this.core.emitServiceEvents(record, { kind: 'delete', phase: 'started' });
    this.core.scheduleCompletion(op);
    return { status: 202, body: {}, operation: op };
  }

  /**
   * `POST …/virtualMachineScaleSets/{name}/delete` with `{ instanceIds }`: deletes those members of a
   * Flexible scale set (VM names, or ids) and lowers its capacity by as many; an operation on the
   * set that ends with the slowest member's delete.
   */
  deleteScaleSetInstances(address: ResourceAddress, input: unknown): WriteResult {
    return deleteScaleSetInstances(this.core, address, input);
  }

  // ---------------------------------------------------------------- soft-deleted key vaults

  /** A subscription's soft-deleted vaults, in one location or all, as Key Vault lists them. */
  listDeletedVaults(subscriptionId: string, location?: string): JsonObject[] {
    return listDeletedVaults(this.core, subscriptionId, location);
  }

  getDeletedVault(subscriptionId: string, location: string, name: string): JsonObject {
    return getDeletedVault(this.core, subscriptionId, location, name);
  }

  /**
   * Purges a soft-deleted vault: its name is free again at once. Answered as a long-running
   * operation (202 + Location), already finished, as Key Vault's purge ends when first polled.
   */
  purgeDeletedVault(subscriptionId: string, location: string, name: string): LroRecord {
    return purgeDeletedVault(this.core, subscriptionId, location, name);
  }

  /** Whether PATCH on `type` applies at once (Network's updateTags) rather than as an operation. */
  isSyncPatch(type: string): boolean {
    return providerOf(type).patch === 'sync';
  }

  /** Whether writes and deletes of `type` answer at once rather than as operations. */
  isSync(type: string): boolean {
    return providerOf(type).sync === true;
  }
}
